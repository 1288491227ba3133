/**
 * Scrapes in slices: a render of a big registry gives the event loop back between slices (a
 * callback scheduled before the scrape runs before it ends; the loop turns many times), its
 * output is byte for byte the one-pass render's, whatever the slice size, and a collector that
 * throws after the render has yielded gives one clean 500 over real HTTP, never part of a body.
 */
import { createServer } from 'node:http';
import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { createHttpMetrics, createMetricsEndpoint } from '../src';
import {
  SAMPLES_PER_TURN, renderRegistry, renderRegistryAtOnce, renderRegistryBody, renderSnapshots, renderSnapshotsInTurns,
} from '../src/exposition';
import { CounterFamily } from '../src/counter';
import { GaugeFamily } from '../src/gauge';
import { HistogramFamily } from '../src/histogram';
import { registerFamily } from '../src/registration';
import { SeriesIndex } from '../src/series-index';
import type { MetricObjectWithValues } from '../src/prom';
import { listen, request, type Listening } from '../../../test/helpers/http';
import { parseExposition } from '../../../test/helpers/exposition';
import { countTurns } from '../../../test/helpers/turns';

/** A registry holding promwire families with `series` series each (a counter and a gauge) and `histograms` histogram series. */
function bigRegistry(series: number, histograms = 0): Registry {
  const registry = new Registry();
  const index = new SeriesIndex(['route', 'status_code']);
  const counter = registerFamily('test', registry, new CounterFamily('big_requests_total', 'Requests.', index));
  const gauge = registerFamily('test', registry, new GaugeFamily('big_in_flight', 'In flight.', index));
  for (let i = 0; i < series; i++) {
    const id = index.id([`/r/${i}`, '200']);
    counter.inc(id);
    gauge.values[id] = i;
  }
  if (histograms > 0) {
    const hIndex = new SeriesIndex(['route']);
    const histogram = registerFamily('test', registry, new HistogramFamily('big_duration_seconds', 'Duration.', hIndex, [0.1, 1, 10]));
    for (let i = 0; i < histograms; i++) histogram.observe(hIndex.id([`/h/${i}`]), i % 20);
  }
  return registry;
}

/** Every kind of metric a registry can hold, promwire's and the client's, with default labels and an exemplar. */
function mixedRegistry(): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'api', route: 'shadowed' });
  const recorder = createHttpMetrics({ registry, defaultMetrics: false, requestSize: true });
  for (let i = 0; i < 40; i++) {
    const state = recorder.begin({}, {}, {
      method: i % 3 === 0 ? 'POST' : 'GET',
      headers: { traceparent: `00-${(i + 1).toString(16).padStart(32, '0')}-00f067aa0ba902b7-01`, 'content-length': String(i * 10) },
    })!;
    state.route = `/items/${i % 13}/"quoted"\\`;
    recorder.end(state, i % 7 === 0 ? 500 : 200);
  }
  const jobs = new Counter({ name: 'jobs_total', help: 'Jobs\nrun.', labelNames: ['kind'], registers: [registry] });
  for (let i = 0; i < 30; i++) jobs.inc({ kind: `k${i}` }, i);
  jobs.inc({ kind: 'café ☕ 日本 \u{1F600}' }, 2); // 2-, 3- and 4-byte UTF-8
  new Gauge({ name: 'temperature', help: 'Temperature.', registers: [registry] }).set(21.5);
  const sizes = new Histogram({ name: 'payload_bytes', help: 'Sizes.', labelNames: ['kind'], buckets: [10, 1e6, 1e7], registers: [registry] });
  for (let i = 0; i < 25; i++) sizes.observe({ kind: `k${i % 5}` }, i * 1e5);
  const latency = new Summary({ name: 'latency_seconds', help: 'Latency.', percentiles: [0.5, 0.99], registers: [registry] });
  for (let i = 0; i < 10; i++) latency.observe(i / 10);
  new Gauge({ name: 'empty_gauge', help: 'Never set.', labelNames: ['x'], registers: [registry] });
  return registry;
}

describe('a render in slices', () => {
  test('at 100,000 series it gives the loop back: a callback scheduled before the scrape runs before it ends', async () => {
    const registry = bigRegistry(100_000);
    let ranBeforeEnd = false;
    setImmediate(() => (ranBeforeEnd = true));
    const stop = countTurns();
    const body = await renderRegistryBody(registry, false);
    const turns = stop();
    expect(ranBeforeEnd).toBe(true);
    // Two families of 100,000 one-sample series; a turn ends once SAMPLES_PER_TURN samples are
    // written (overshooting by less than a slice), so at least one turn per 2 × SAMPLES_PER_TURN.
    expect(turns).toBeGreaterThanOrEqual(Math.floor(200_000 / (2 * SAMPLES_PER_TURN)));
    const exposition = parseExposition(body.toString('utf8'));
    expect(exposition.find('big_requests_total')).toHaveLength(100_000);
    expect(exposition.value('big_in_flight', { route: '/r/99999', status_code: '200' })).toBe(99_999);
  });

  test('a histogram family is cut between series, never inside one', async () => {
    const registry = bigRegistry(0, 5_000);
    const stop = countTurns();
    const text = await renderRegistry(registry, true);
    const turns = stop();
    // 5,000 series of 6 samples: the one family takes several turns.
    expect(turns).toBeGreaterThanOrEqual(Math.floor(30_000 / (2 * SAMPLES_PER_TURN)));
    expect(text).toBe(await renderRegistryAtOnce(registry, true));
  });

  test.each([
    ['one sample per turn', { samples: 1, bytes: Infinity }],
    ['7 samples per turn', { samples: 7, bytes: Infinity }],
    ['100 bytes per turn', { samples: Infinity, bytes: 100 }],
    ['the default budget', undefined],
  ])('is byte for byte the one-pass render, both formats (%s)', async (_name, budget) => {
    const registry = mixedRegistry();
    for (const openMetrics of [false, true]) {
      const reference = await renderRegistryAtOnce(registry, openMetrics);
      expect(reference).toContain('http_request_duration_seconds_bucket');
      expect((await renderRegistryBody(registry, openMetrics, budget)).toString('utf8')).toBe(reference);
      expect(await renderRegistry(registry, openMetrics)).toBe(reference);
    }
  });

  test('the body is the same whatever size its buffer starts from (grown in turns, or with room to spare)', async () => {
    const registry = bigRegistry(3_000, 500);
    const reference = await renderRegistryAtOnce(registry, false);
    for (const sizeHint of [0, 1, reference.length - 1, reference.length, reference.length * 4]) {
      const body = await renderRegistryBody(registry, false, undefined, sizeHint);
      expect(body.length).toBe(Buffer.byteLength(reference));
      expect(body.toString('utf8')).toBe(reference);
    }
  });

  test('a cluster snapshot in turns is the one-pass snapshot', async () => {
    const registry = mixedRegistry();
    // The client's own get() answers, as a cluster primary receives them from its workers.
    const snapshots = (await registry.getMetricsAsJSON()) as unknown as MetricObjectWithValues[];
    for (const openMetrics of [false, true]) {
      const turns = await renderSnapshotsInTurns(snapshots, openMetrics, { samples: 3, bytes: Infinity });
      expect(turns.toString('utf8')).toBe(renderSnapshots(snapshots, openMetrics));
    }
  });

  test('an empty registry renders as before', async () => {
    const registry = new Registry();
    expect((await renderRegistryBody(registry, false)).toString()).toBe('');
    expect((await renderRegistryBody(registry, true)).toString()).toBe('# EOF\n');
  });
});

describe('a collector that throws while the render is under way', () => {
  let server: Listening | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  test('gives every scrape one clean 500, gzip or not, and never part of the exposition', async () => {
    const registry = bigRegistry(20_000);
    const turnsBeforeThrow = { seen: 0 };
    const control = { fail: true };
    new Gauge({
      name: 'flaky',
      help: 'Throws after the render has yielded a few times.',
      registers: [registry],
      async collect() {
        // The render has written slices of the families before this rejects.
        for (let i = 0; i < 5; i++) {
          await new Promise(setImmediate);
          turnsBeforeThrow.seen++;
        }
        if (control.fail) throw new Error('sensor unplugged');
        this.set(1);
      },
    });
    server = await listen(createServer(createMetricsEndpoint({ registry }).handle));
    const replies = await Promise.all([
      request(`${server.url}/metrics`),
      request(`${server.url}/metrics`, { headers: { 'accept-encoding': 'gzip' } }),
      request(`${server.url}/metrics`, { headers: { accept: 'application/openmetrics-text' } }),
    ]);
    expect(turnsBeforeThrow.seen).toBeGreaterThanOrEqual(5);
    for (const reply of replies) {
      expect(reply.status).toBe(500);
      expect(reply.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(reply.headers['content-encoding']).toBeUndefined();
      expect(reply.body).toBe('Error collecting metrics: sensor unplugged\n');
    }
    control.fail = false;
    const ok = await request(`${server.url}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
    expect(ok.status).toBe(200);
    expect(ok.headers['content-encoding']).toBe('gzip');
    const exposition = parseExposition(ok.body);
    expect(exposition.find('big_requests_total')).toHaveLength(20_000);
    expect(exposition.value('flaky')).toBe(1);
  });
});
