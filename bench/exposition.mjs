// `/metrics` at scale, one implementation and size per process (run with --expose-gc):
//   node --expose-gc bench/exposition.mjs <promwire|prom-client> <series> <iterations>
// Builds `series` label sets {method="GET", route="/api/v1/resource-<i>/:id", status_code="200"},
// each holding a request counter and a duration histogram (promwire's default buckets), records
// each twice, and answers over IPC (or prints) the heap they take after a forced GC and the
// time of each serialization: promwire's renderRegistry (what its endpoint sends) and, for
// reference, prom-client's registry.metrics() over promwire's collectors; for prom-client, its
// own registry.metrics() over a Counter and a Histogram holding the same label sets.
import { performance } from 'node:perf_hooks';
import client from 'prom-client';
import { DURATION_BUCKETS } from './lib/common.mjs';

const [impl, seriesArg, iterationsArg] = process.argv.slice(2);
const series = Number(seriesArg);
const iterations = Number(iterationsArg ?? 5);
const LABELS = ['method', 'route', 'status_code'];
const routeOf = (i) => `/api/v1/resource-${i}/:id`;

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');

function heapAfterGc() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

async function setUp() {
  const registry = new client.Registry();
  if (impl === 'promwire') {
    const core = await import('@promwire/core');
    const recorder = core.createHttpMetrics({
      registry,
      defaultMetrics: false,
      maxLabelValues: series,
      routeOf: (req) => req.route,
    });
    const raw = { method: 'GET', url: '/', headers: {} };
    return {
      populate() {
        for (let round = 0; round < 2; round++) {
          for (let i = 0; i < series; i++) {
            const state = recorder.begin({ route: routeOf(i) }, undefined, raw);
            recorder.end(state, 200);
          }
        }
      },
      render: () => core.renderRegistry(registry, false),
      renderByClient: () => registry.metrics(),
    };
  }
  if (impl === 'prom-client') {
    const requests = new client.Counter({ name: 'http_requests_total', help: 'Requests.', labelNames: LABELS, registers: [registry] });
    const duration = new client.Histogram({
      name: 'http_request_duration_seconds', help: 'Duration.', labelNames: LABELS, buckets: DURATION_BUCKETS, registers: [registry],
    });
    const inFlight = new client.Gauge({ name: 'http_requests_in_flight', help: 'In flight.', labelNames: ['method'], registers: [registry] });
    return {
      populate() {
        for (let round = 0; round < 2; round++) {
          for (let i = 0; i < series; i++) {
            const labels = { method: 'GET', route: routeOf(i), status_code: '200' };
            inFlight.inc({ method: 'GET' });
            requests.inc(labels);
            duration.observe(labels, 0.0001 * (round + 1));
            inFlight.dec({ method: 'GET' });
          }
        }
      },
      render: () => registry.metrics(),
    };
  }
  throw new Error(`unknown implementation ${impl}`);
}

async function scrapeOnce(render) {
  const body = await render();
  return {
    bodyBytes: Buffer.byteLength(body),
    samples: body.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length,
  };
}

async function timings(render) {
  await render(); // warm-up
  const times = [];
  const deadline = performance.now() + 60_000;
  for (let i = 0; i < iterations && performance.now() < deadline; i++) {
    const t0 = performance.now();
    await render();
    times.push(performance.now() - t0);
  }
  return times;
}

const bench = await setUp();
const before = heapAfterGc();
bench.populate();
const populated = heapAfterGc();
// One scrape, then measure again without holding its body: what stays is what the
// implementation keeps (caches included) while serving scrapes.
const { bodyBytes, samples } = await scrapeOnce(bench.render);
const after = heapAfterGc();
const result = {
  impl,
  series,
  heapBytesPerSeries: (after - before) / series,
  heapBytesPerSeriesBeforeScrape: (populated - before) / series,
  bodyBytes,
  samples,
  renderMs: await timings(bench.render),
  renderByClientMs: bench.renderByClient === undefined ? undefined : await timings(bench.renderByClient),
};
if (process.send) process.send({ type: 'result', result });
else console.log(JSON.stringify(result));
process.disconnect?.();
