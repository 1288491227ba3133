// `get()` of promwire's families against the clients' own, on the same series: what a cluster
// worker answers its primary with (registry.getMetricsAsJSON() calls every metric's get()).
//
//   npm run build -w @promwire/core   (the bench imports core's dist)
//   node --expose-gc bench/cluster-get.mjs [series ...] [--rounds N] [--markdown]
//
// Per size (default 1000 and 10000): `series` label sets {method="GET",
// route="/api/v1/resource-<i>/:id", status_code="200"}, each with a request counter and a
// duration histogram (promwire's default 14 buckets), recorded twice. Timed, per implementation:
// the histogram's get(), the counter's get(), and the registry's getMetricsAsJSON() (both
// families). Implementations: promwire (the columnar families), prom-client 15 and, when it
// loads on this Node, @prometheus-io/client. "promwire before" is the histogram get() promwire
// had before this bench (a spread `{ ...labels, le }` per bucket), inlined over the same columns
// for reference. Rounds interleave the implementations, a forced GC before each timing; the
// table shows the median and the fastest of the rounds, in milliseconds.
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { DURATION_BUCKETS } from './lib/common.mjs';

const require = createRequire(import.meta.url);
const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: 'string', default: '15' }, markdown: { type: 'boolean', default: false } },
});
const sizes = positionals.length > 0 ? positionals.map(Number) : [1000, 10000];
const rounds = Number(flags.rounds);
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');

const LABELS = ['method', 'route', 'status_code'];
const routeOf = (i) => `/api/v1/resource-${i}/:id`;
const core = require('@promwire/core');

function loadClient(name) {
  try {
    return require(name);
  } catch {
    return undefined;
  }
}
const clients = [['prom-client', loadClient('prom-client')], ['@prometheus-io/client', loadClient('@prometheus-io/client')]]
  .filter(([, module]) => module !== undefined);

/** promwire's recorder on a registry of the first client, `series` series recorded twice. */
function promwire(series) {
  const registry = new clients[0][1].Registry();
  const recorder = core.createHttpMetrics({ registry, defaultMetrics: false, maxLabelValues: series, routeOf: (req) => req.route });
  const raw = { method: 'GET', url: '/', headers: {} };
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < series; i++) recorder.end(recorder.begin({ route: routeOf(i) }, undefined, raw), 200);
  }
  // The in-flight gauge is left out of getMetricsAsJSON: the clients' variants have none either.
  registry.removeSingleMetric('http_requests_in_flight');
  return {
    histogram: registry.getSingleMetric('http_request_duration_seconds'),
    counter: registry.getSingleMetric('http_requests_total'),
    registry,
  };
}

function client(module, series) {
  const registry = new module.Registry();
  const counter = new module.Counter({ name: 'http_requests_total', help: 'Requests.', labelNames: LABELS, registers: [registry] });
  const histogram = new module.Histogram({
    name: 'http_request_duration_seconds', help: 'Duration.', labelNames: LABELS, buckets: DURATION_BUCKETS, registers: [registry],
  });
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < series; i++) {
      const labels = { method: 'GET', route: routeOf(i), status_code: '200' };
      counter.inc(labels);
      histogram.observe(labels, 0.0001 * (round + 1));
    }
  }
  return { histogram, counter, registry };
}

/** The histogram get() promwire had before (one spread label object per bucket), for reference. */
function beforeGet(family) {
  const values = [];
  const names = family.index.labelNames;
  for (let id = 0; id < family.index.size; id++) {
    const labels = {};
    const series = family.index.values[id];
    names.forEach((name, i) => (labels[name] = series[i] ?? ''));
    let cumulative = 0;
    for (let i = 0; i < family.stride; i++) {
      cumulative += family.counts[id * family.stride + i];
      const le = i < family.buckets.length ? family.buckets[i] : '+Inf';
      values.push({ labels: { ...labels, le }, value: cumulative, metricName: `${family.familyName}_bucket` });
    }
    values.push({ labels, value: family.sums[id], metricName: `${family.familyName}_sum` });
    values.push({ labels, value: cumulative, metricName: `${family.familyName}_count` });
  }
  return { name: family.familyName, help: family.help, type: 'histogram', aggregator: 'sum', values };
}

async function timed(fn) {
  globalThis.gc();
  const t0 = performance.now();
  const result = await fn();
  const ms = performance.now() - t0;
  if (result === undefined) throw new Error('nothing answered');
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const fmt = (ms) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
const rows = [];

for (const series of sizes) {
  const impls = [
    ['promwire', promwire(series)],
    ...clients.map(([name, module]) => [name, client(module, series)]),
  ];
  const samples = (await impls[0][1].histogram.get()).values.length;
  for (const [, impl] of impls) {
    const n = (await impl.histogram.get()).values.length;
    if (n !== samples) throw new Error(`histogram samples differ: ${n} vs ${samples}`);
  }
  const cases = [];
  for (const [name, impl] of impls) {
    cases.push({ name, what: 'histogram get()', run: () => impl.histogram.get() });
    if (name === 'promwire') cases.push({ name: 'promwire before', what: 'histogram get()', run: () => beforeGet(impl.histogram) });
    cases.push({ name, what: 'counter get()', run: () => impl.counter.get() });
    cases.push({ name, what: 'getMetricsAsJSON()', run: () => impl.registry.getMetricsAsJSON() });
  }
  const times = cases.map(() => []);
  for (let warm = 0; warm < 3; warm++) for (const c of cases) await c.run();
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < cases.length; i++) times[i].push(await timed(cases[i].run));
  }
  cases.forEach((c, i) => rows.push({ series, what: c.what, impl: c.name, median: median(times[i]), min: Math.min(...times[i]) }));
}

// One line per (series, measurement): each implementation's median (fastest), and promwire
// over the fastest client.
const impls = [...new Set(rows.map((r) => r.impl))];
const header = ['series', 'measurement', ...impls.map((i) => `${i} ms median (min)`), 'promwire ÷ prom-client'];
const lines = [];
for (const series of sizes) {
  for (const what of [...new Set(rows.map((r) => r.what))]) {
    const of = (impl) => rows.find((r) => r.series === series && r.what === what && r.impl === impl);
    const cells = impls.map((impl) => (of(impl) ? `${fmt(of(impl).median)} (${fmt(of(impl).min)})` : '—'));
    const ratio = of('prom-client') ? (of('promwire').median / of('prom-client').median).toFixed(2) : '—';
    lines.push([series.toLocaleString('en-US'), what, ...cells, ratio]);
  }
}
if (flags.markdown) {
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const l of lines) console.log(`| ${l.join(' | ')} |`);
} else {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  for (const l of [header, ...lines]) console.log(l.map((c, i) => c.padEnd(widths[i])).join('  '));
}
console.log(`\nNode ${process.version}, ${rounds} rounds; ${clients.map(([n]) => `${n} ${require(`${n}/package.json`).version}`).join(', ')}`);
