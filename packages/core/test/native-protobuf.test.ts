/**
 * The protobuf exposition, decoded by a second path: protobufjs parsing the checked-in
 * `proto/metrics.proto` in the tests' own helper (snake-case fields, the well-known Timestamp
 * declared by the helper itself), independent of the renderer's loaded schema and camel-case objects.
 * Every field of every message is compared. Scrapes go over real HTTP on 127.0.0.1.
 */
import { createServer } from 'node:http';
import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { createHistogram, createHttpMetrics, createMetricsEndpoint } from '../src';
import { renderProtobuf } from '../src/protobuf/render';
import { listen, type Listening } from '../../../test/helpers/http';
import { decode, type Decoded } from '../../../test/helpers/protobuf';
import { countTurns } from '../../../test/helpers/turns';

const PROTOBUF = 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited';
const PROMETHEUS_2_42_PROTOBUF =
  'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

async function scrape(url: string, accept: string): Promise<{ type: string | null; body: Uint8Array }> {
  const res = await fetch(`${url}/metrics`, { headers: { accept, 'accept-encoding': 'identity' } });
  return { type: res.headers.get('content-type'), body: new Uint8Array(await res.arrayBuffer()) };
}

let server: Listening | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(registry: Registry): Promise<string> {
  const endpoint = createMetricsEndpoint({ registry });
  server = await listen(createServer((req, res) => void endpoint.handle(req, res)));
  return server.url;
}

test('a native and classic histogram ("both"): every field of the decoded family', async () => {
  const registry = new Registry();
  registry.setDefaultLabels({ app: 'shop' });
  const jobs = createHistogram({
    name: 'job_seconds', help: 'Job time.', labelNames: ['queue'], buckets: [0.1, 1],
    histograms: 'both', nativeHistogramBucketFactor: 2, nativeHistogramZeroThreshold: 0.001, registry,
  });
  const observed = [0.05, 0.3, 0.3, 3, 0, -0.5];
  for (const v of observed) jobs.labels('mail').observe(v);
  const { type, body } = await scrape(await serve(registry), PROMETHEUS_2_42_PROTOBUF);
  expect(type).toBe(PROMETHEUS_2_42_PROTOBUF.split(',')[0]!.replace(/;/g, '; '));
  expect(decode(body)).toEqual([
    {
      name: 'job_seconds', help: 'Job time.', type: 'HISTOGRAM',
      metric: [{
        label: [{ name: 'queue', value: 'mail' }, { name: 'app', value: 'shop' }],
        histogram: {
          sample_count: 6,
          sample_sum: observed.reduce((a, b) => a + b, 0),
          // ≤ 0.1: 0.05, 0, -0.5; ≤ 1: and 0.3 twice; +Inf implicit
          bucket: [{ cumulative_count: 3, upper_bound: 0.1 }, { cumulative_count: 5, upper_bound: 1 }],
          // schema 0 (factor 2): 0.05 ∈ (2^-5, 2^-4] key -4, 0.3 ∈ (2^-2, 2^-1] key -1, 3 ∈ (2, 4] key 2
          schema: 0,
          zero_threshold: 0.001,
          zero_count: 1,
          negative_span: [{ offset: -1, length: 1 }], // 0.5 closes (2^-2, 2^-1]: key -1
          negative_delta: [1],
          // keys -4 … 2 in one span (gaps of two filled): counts 1 0 0 2 0 0 1
          positive_span: [{ offset: -4, length: 7 }],
          positive_delta: [1, -1, 0, 2, -2, 0, 1],
        },
      }],
    },
  ]);
});

test('"native": no classic buckets; HTTP recorder counter and histogram exemplars; client metrics from get()', async () => {
  const registry = new Registry();
  const recorder = createHttpMetrics({ registry, histograms: 'native', defaultMetrics: false });
  const state = recorder.begin({}, {}, { method: 'GET', url: '/a', headers: { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` } })!;
  state.route = '/a';
  recorder.end(state, 200);
  new Counter({ name: 'orders_total', help: 'Orders.', labelNames: ['kind'], registers: [registry] }).inc({ kind: 'web' }, 3);
  new Gauge({ name: 'queue_depth', help: 'Depth.', registers: [registry] }).set(7.5);
  const summary = new Summary({ name: 'payload_bytes', help: 'Payload.', percentiles: [0.5, 0.9], registers: [registry] });
  for (const v of [10, 20, 30]) summary.observe(v);
  const classic = new Histogram({ name: 'client_seconds', help: 'Client.', buckets: [1, 2], registers: [registry] });
  classic.observe(1.5);
  const { type, body } = await scrape(await serve(registry), PROTOBUF);
  expect(type).toBe(PROTOBUF);
  const families = Object.fromEntries(decode(body).map((f) => [f.name, f]));

  const requests = families.http_requests_total!;
  expect(requests.type).toBe('COUNTER');
  const counter = requests.metric[0];
  expect(counter.label).toEqual([
    { name: 'method', value: 'GET' }, { name: 'route', value: '/a' }, { name: 'status_code', value: '200' },
  ]);
  expect(counter.counter.value).toBe(1);
  expect(counter.counter.exemplar.label).toEqual([{ name: 'trace_id', value: TRACE_ID }]);
  expect(counter.counter.exemplar.value).toBe(1);
  expect(Math.abs(counter.counter.exemplar.timestamp.seconds - Date.now() / 1000)).toBeLessThan(600);

  const duration = families.http_request_duration_seconds!.metric[0].histogram;
  expect(duration.sample_count).toBe(1);
  expect(duration.bucket).toBeUndefined(); // an empty repeated field is absent
  expect(duration.schema).toBe(3);
  expect(duration.zero_threshold).toBe(2 ** -128);
  expect(duration.positive_span).toHaveLength(1);
  expect(duration.positive_span[0].length).toBe(1);
  expect(duration.positive_delta).toEqual([1]);
  // The one observation's bucket holds its value: (2^((k-1)/8), 2^(k/8)]
  const k = duration.positive_span[0].offset;
  expect(duration.sample_sum).toBeGreaterThan(2 ** ((k - 1) / 8));
  expect(duration.sample_sum).toBeLessThanOrEqual(2 ** (k / 8));
  expect(duration.exemplars).toHaveLength(1);
  expect(duration.exemplars[0].label).toEqual([{ name: 'trace_id', value: TRACE_ID }]);
  expect(duration.exemplars[0].value).toBe(duration.sample_sum);

  expect(families.http_requests_in_flight).toEqual({
    name: 'http_requests_in_flight', help: 'Number of HTTP requests being served, by method.', type: 'GAUGE',
    metric: [{ label: [{ name: 'method', value: 'GET' }], gauge: { value: 0 } }],
  });
  expect(families.orders_total).toEqual({
    name: 'orders_total', help: 'Orders.', type: 'COUNTER', metric: [{ label: [{ name: 'kind', value: 'web' }], counter: { value: 3 } }],
  });
  expect(families.queue_depth).toEqual({ name: 'queue_depth', help: 'Depth.', type: 'GAUGE', metric: [{ gauge: { value: 7.5 } }] });
  expect(families.payload_bytes).toEqual({
    name: 'payload_bytes', help: 'Payload.', type: 'SUMMARY',
    metric: [{ summary: { sample_count: 3, sample_sum: 60, quantile: [{ quantile: 0.5, value: 20 }, { quantile: 0.9, value: 30 }] } }],
  });
  expect(families.client_seconds).toEqual({
    name: 'client_seconds', help: 'Client.', type: 'HISTOGRAM',
    metric: [{ histogram: { sample_count: 1, sample_sum: 1.5, bucket: [{ cumulative_count: 0, upper_bound: 1 }, { cumulative_count: 1, upper_bound: 2 }] } }],
  });
});

test('an empty native histogram is still native: zero threshold above 0, or an empty span when it is 0', async () => {
  const registry = new Registry();
  createHistogram({ name: 'a_seconds', help: 'A.', histograms: 'native', registry });
  createHistogram({ name: 'b_seconds', help: 'B.', histograms: 'native', nativeHistogramZeroThreshold: 0, registry });
  const [a, b] = decode((await scrape(await serve(registry), PROTOBUF)).body);
  // (Empty repeated fields are absent from the decoded objects.)
  expect(a!.metric[0].histogram).toEqual({ sample_count: 0, sample_sum: 0, schema: 3, zero_threshold: 2 ** -128, zero_count: 0 });
  expect(b!.metric[0].histogram).toEqual({ sample_count: 0, sample_sum: 0, schema: 3, zero_threshold: 0, zero_count: 0, positive_span: [{ offset: 0, length: 0 }] });
});

describe('negotiation', () => {
  test.each<[string, boolean, string, string]>([
    ['Prometheus 2.42 with native histograms, native on', true, PROMETHEUS_2_42_PROTOBUF, PROTOBUF],
    ['Prometheus 2.42 with native histograms, classic only', false, PROMETHEUS_2_42_PROTOBUF, 'application/openmetrics-text; version=1.0.0; charset=utf-8'],
    ['protobuf only, classic only: text', false, PROTOBUF, 'text/plain; version=0.0.4; charset=utf-8'],
    ['*/* never selects protobuf', true, '*/*', 'text/plain; version=0.0.4; charset=utf-8'],
    ['another protobuf message', true, 'application/vnd.google.protobuf;proto=io.prometheus.client.Other;encoding=delimited', 'text/plain; version=0.0.4; charset=utf-8'],
    ['the text encoding of protobuf', true, 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text', 'text/plain; version=0.0.4; charset=utf-8'],
    ['openmetrics preferred over protobuf', true, `${PROTOBUF};q=0.5,application/openmetrics-text;q=0.9`, 'application/openmetrics-text; version=1.0.0; charset=utf-8'],
    ['protobuf q=0', true, `${PROTOBUF};q=0`, 'text/plain; version=0.0.4; charset=utf-8'],
  ])('%s', async (_name, native, accept, expected) => {
    const registry = new Registry();
    createHistogram({ name: 'h_seconds', help: 'H.', ...(native ? { histograms: 'native' as const } : {}), registry });
    expect((await scrape(await serve(registry), accept)).type).toBe(expected);
  });

  test('gzip of a protobuf body, shared by concurrent scrapes', async () => {
    const registry = new Registry();
    createHistogram({ name: 'h_seconds', help: 'H.', histograms: 'both', registry }).observe(0.2);
    const url = await serve(registry);
    const replies = await Promise.all([1, 2].map(() => fetch(`${url}/metrics`, { headers: { accept: PROTOBUF, 'accept-encoding': 'gzip' } })));
    for (const res of replies) {
      expect(res.headers.get('content-encoding')).toBe('gzip');
      const [family] = decode(new Uint8Array(await res.arrayBuffer())); // fetch gunzips
      expect(family!.metric[0].histogram.sample_count).toBe(1);
    }
  });
});

test('the text formats show the classic histogram only, in every mode', async () => {
  const registry = new Registry();
  createHistogram({ name: 'h_seconds', help: 'H.', buckets: [1], histograms: 'native', registry }).observe(0.5);
  const url = await serve(registry);
  for (const accept of ['text/plain', 'application/openmetrics-text']) {
    const text = new TextDecoder().decode((await scrape(url, accept)).body);
    expect(text.split('\n').filter((l) => l.startsWith('h_seconds'))).toEqual(
      accept === 'text/plain'
        ? ['h_seconds_bucket{le="1"} 1', 'h_seconds_bucket{le="+Inf"} 1', 'h_seconds_sum 0.5', 'h_seconds_count 1']
        : ['h_seconds_bucket{le="1.0"} 1', 'h_seconds_bucket{le="+Inf"} 1', 'h_seconds_sum 0.5', 'h_seconds_count 1'],
    );
  }
});

test('createHistogram: bad options and values are refused with a clear TypeError; the same options answer the same histogram', () => {
  const registry = new Registry();
  expect(() => createHistogram({ name: '1x', help: 'x', registry })).toThrow(/name must be a valid metric name/);
  expect(() => createHistogram({ name: 'x', help: 'x', labelNames: ['le'], registry })).toThrow(/labelNames must be an array of valid label names other than "le"/);
  expect(() => createHistogram({ name: 'x', help: 'x', histograms: 'sparse' as never, registry })).toThrow(/histograms must be 'classic', 'native' or 'both'/);
  expect(() => createHistogram({ name: 'x', help: 'x', nativeHistogramMaxBuckets: 10, registry })).toThrow(/nativeHistogramMaxBuckets needs histograms: 'native' or 'both'/);
  const h = createHistogram({ name: 'x', help: 'x', labelNames: ['a'], histograms: 'native', registry });
  expect(() => h.observe(1)).toThrow(/x has labels \(a\): observe through labels/);
  expect(() => h.labels('v').observe('1' as never)).toThrow(/x.observe takes a number, got "1"/);
  expect(() => h.labels()).toThrow(/x takes 1 label value\(s\) \(a\)/);
  expect(() => createHistogram({ name: 'x', help: 'x', labelNames: ['a'], histograms: 'both', registry })).toThrow(/different `histograms` option \(native, asked for both\)/);
  h.labels('v').observe(2);
  createHistogram({ name: 'x', help: 'x', labelNames: ['a'], histograms: 'native', registry }).labels('v').observe(3);
  expect(registry.getMetricsAsArray()).toHaveLength(1);
});

test('a large family is rendered in turns: the event loop runs between them, and every series arrives', async () => {
  const registry = new Registry();
  const h = createHistogram({ name: 'many_seconds', help: 'Many.', labelNames: ['n'], histograms: 'native', registry });
  const SERIES = 2000;
  for (let i = 0; i < SERIES; i++) h.labels(String(i)).observe(i / 1000);
  const stop = countTurns();
  const body = await renderProtobuf(registry, 512);
  const turns = stop();
  expect(turns).toBeGreaterThanOrEqual(Math.floor(SERIES / 512));
  const [family, ...rest] = decode(body);
  expect(rest).toEqual([]);
  expect(family!.metric).toHaveLength(SERIES);
  expect(family!.metric.map((m: Decoded) => m.label[0].value)).toEqual(Array.from({ length: SERIES }, (_, i) => String(i)));
  expect(family!.metric.every((m: Decoded) => m.histogram.sample_count === 1)).toBe(true);
});
