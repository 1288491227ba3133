/**
 * The registries the conformance suite exposes: together they hold every prom-client metric
 * type with and without labels, registry default labels, custom promwire labels (one named
 * like a default label), odd label values and HELP texts, NaN and ±Inf, `prefix`,
 * `naming: 'otel'`, request and response sizes, and exemplars. Each lists a few samples it
 * must expose with exact values, written out by hand; the suite also compares the whole
 * exposition with what each metric's `get()` holds.
 */
import { Counter, Gauge, Histogram, Registry, Summary, collectDefaultMetrics } from 'prom-client';
import { createHttpMetrics, type HttpMetricsOptions } from '@promwire/core';

/**
 * The client under test: jest maps `prom-client` to `@prometheus-io/client` when
 * PROMWIRE_CLIENT names it (jest.projects.js).
 */
export const CLIENT = process.env.PROMWIRE_CLIENT === '@prometheus-io/client' ? '@prometheus-io/client' : 'prom-client';

export interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ConformanceCase {
  /** Scrape job and table row. */
  name: string;
  registry: Registry;
  /** Samples that must be exposed with these values: 0.0.4 names, `le`/`quantile` as prom-client writes them. */
  expected: Series[];
  /** Trace ids of recorded requests and user exemplars: OpenMetrics must carry each as an exemplar. */
  traceIds: string[];
  /**
   * True when the registry holds the client's default metrics: `promtool check metrics` may
   * then report what it reports for them alone, and nothing more.
   */
  defaultMetrics: boolean;
}

/** A request, as the fake adapter hands it to label callbacks. */
interface FakeRequest {
  tenant?: string;
  note?: string;
}

interface Traffic {
  method: string;
  route: string;
  status: number;
  req?: FakeRequest;
  headers?: Record<string, string>;
  responseBytes?: number;
}

type Recorder = ReturnType<typeof createHttpMetrics<FakeRequest, unknown>>;

/** Records requests the way an adapter does: begin with the raw request, route known, end with the status. */
function record(recorder: Recorder, traffic: Traffic[]): void {
  for (const t of traffic) {
    const state = recorder.begin(t.req ?? {}, {}, { method: t.method, url: t.route, headers: t.headers ?? {} });
    if (state === undefined) throw new Error('the recorder skipped a request');
    state.route = t.route;
    state.responseBytes = t.responseBytes ?? 0;
    recorder.end(state, t.status);
  }
}

function recorderOn(registry: Registry, options: HttpMetricsOptions<FakeRequest, unknown>): Recorder {
  return createHttpMetrics<FakeRequest, unknown>({ registry, defaultMetrics: false, ...options });
}

/** Exemplar labels (prom-client's typings expect the metric's own label names there). */
const traceLabel = (traceId: string): Record<string, string> => ({ trace_id: traceId });

const traceparent = (traceId: string) => ({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` });

/** Every prom-client type, with and without labels; prom-client's default metrics; promwire's defaults. */
function clientTypes(): ConformanceCase {
  const registry = new Registry();
  const recorder = recorderOn(registry, { defaultMetrics: true });
  record(recorder, [
    { method: 'GET', route: '/users/:id', status: 200 },
    { method: 'GET', route: '/users/:id', status: 200 },
    { method: 'POST', route: '/users', status: 201 },
    { method: 'BREW', route: '/pot', status: 418 },
  ]);
  const registers = [registry];
  new Counter({ name: 'jobs_processed_total', help: 'Jobs processed.', registers }).inc(3);
  const sent = new Counter({ name: 'emails_sent_total', help: 'Emails sent.', labelNames: ['queue'], registers });
  sent.inc({ queue: 'mail' }, 2);
  sent.inc({ queue: 'sms' }, 0.5);
  new Gauge({ name: 'temperature_celsius', help: 'Temperature now.', registers }).set(-4.5);
  new Gauge({ name: 'queue_depth', help: 'Items waiting.', labelNames: ['queue'], registers }).set({ queue: 'mail' }, 7);
  const db = new Histogram({
    name: 'db_query_duration_seconds', help: 'Database query time.', registers,
    buckets: [1e-5, 0.001, 0.5, 1, 10, 100000, 1e6, 1e10],
  });
  for (const v of [0.0002, 0.2, 2, 5e6]) db.observe(v);
  const payload = new Histogram({
    name: 'payload_size_bytes', help: 'Payload sizes.', labelNames: ['kind'], registers,
    buckets: [64, 1024, 1048576],
  });
  payload.observe({ kind: 'json' }, 100);
  payload.observe({ kind: 'json' }, 2e6);
  const rpc = new Summary({
    name: 'rpc_duration_seconds', help: 'RPC time.', registers, percentiles: [0.01, 0.5, 0.9, 0.99, 0.999, 1],
  });
  for (const v of [1, 1, 1]) rpc.observe(v);
  const batch = new Summary({ name: 'batch_items', help: 'Items per batch.', labelNames: ['source'], registers, percentiles: [0.5, 0.95] });
  batch.observe({ source: 'import' }, 10);
  return {
    name: 'client-types',
    registry,
    traceIds: [],
    defaultMetrics: true,
    expected: [
      { name: 'http_requests_total', labels: { method: 'GET', route: '/users/:id', status_code: '200' }, value: 2 },
      { name: 'http_requests_total', labels: { method: '_OTHER', route: '/pot', status_code: '418' }, value: 1 },
      { name: 'http_request_duration_seconds_count', labels: { method: 'POST', route: '/users', status_code: '201' }, value: 1 },
      { name: 'http_requests_in_flight', labels: { method: 'GET' }, value: 0 },
      { name: 'jobs_processed_total', labels: {}, value: 3 },
      { name: 'emails_sent_total', labels: { queue: 'sms' }, value: 0.5 },
      { name: 'temperature_celsius', labels: {}, value: -4.5 },
      { name: 'queue_depth', labels: { queue: 'mail' }, value: 7 },
      { name: 'db_query_duration_seconds_bucket', labels: { le: '0.00001' }, value: 0 },
      { name: 'db_query_duration_seconds_bucket', labels: { le: '0.001' }, value: 1 },
      { name: 'db_query_duration_seconds_bucket', labels: { le: '1' }, value: 2 },
      { name: 'db_query_duration_seconds_bucket', labels: { le: '100000' }, value: 3 },
      { name: 'db_query_duration_seconds_bucket', labels: { le: '10000000000' }, value: 4 },
      { name: 'db_query_duration_seconds_bucket', labels: { le: '+Inf' }, value: 4 },
      { name: 'db_query_duration_seconds_count', labels: {}, value: 4 },
      { name: 'payload_size_bytes_bucket', labels: { kind: 'json', le: '1048576' }, value: 1 },
      { name: 'rpc_duration_seconds', labels: { quantile: '0.999' }, value: 1 },
      { name: 'rpc_duration_seconds_sum', labels: {}, value: 3 },
      { name: 'batch_items_count', labels: { source: 'import' }, value: 1 },
    ],
  };
}

/** Registry default labels, and a custom promwire label named like one of them. */
function labelClash(): ConformanceCase {
  const registry = new Registry();
  registry.setDefaultLabels({ tenant: 'from-default-labels', region: 'eu-west-1' });
  const recorder = recorderOn(registry, { labels: { tenant: (req) => req.tenant ?? 'none' } });
  record(recorder, [
    { method: 'GET', route: '/orders/:id', status: 200, req: { tenant: 'acme' } },
    { method: 'GET', route: '/orders/:id', status: 200, req: { tenant: 'acme' } },
    { method: 'GET', route: '/orders/:id', status: 404, req: { tenant: 'globex' } },
  ]);
  const registers = [registry];
  new Counter({ name: 'orders_placed_total', help: 'Orders.', labelNames: ['tenant'], registers }).inc({ tenant: 'user-own' });
  new Gauge({ name: 'app_ready', help: 'Ready.', registers }).set(1);
  const own = { region: 'eu-west-1' };
  return {
    name: 'label-clash',
    registry,
    traceIds: [],
    defaultMetrics: false,
    expected: [
      { name: 'http_requests_total', labels: { method: 'GET', route: '/orders/:id', status_code: '200', tenant: 'acme', ...own }, value: 2 },
      { name: 'http_requests_total', labels: { method: 'GET', route: '/orders/:id', status_code: '404', tenant: 'globex', ...own }, value: 1 },
      {
        name: 'http_request_duration_seconds_bucket',
        labels: { method: 'GET', route: '/orders/:id', status_code: '200', tenant: 'acme', le: '+Inf', ...own },
        value: 2,
      },
      { name: 'http_requests_in_flight', labels: { method: 'GET', tenant: 'from-default-labels', ...own }, value: 0 },
      { name: 'orders_placed_total', labels: { tenant: 'user-own', ...own }, value: 1 },
      { name: 'app_ready', labels: { tenant: 'from-default-labels', ...own }, value: 1 },
    ],
  };
}

/** Label values and HELP texts that need escaping, unicode, empty values, NaN and ±Inf. */
function oddText(): ConformanceCase {
  const registry = new Registry();
  const recorder = recorderOn(registry, { labels: { note: (req) => req.note ?? '' } });
  const route = '/q/"quoted"/back\\slash/new\nline/ünï✓';
  record(recorder, [
    { method: 'GET', route, status: 200, req: { note: 'a "b" \\ c\nd' } },
    { method: 'GET', route: '/empty', status: 200, req: { note: '' } },
  ]);
  const registers = [registry];
  const odd = new Gauge({
    name: 'odd_label_values', help: 'Help with a backslash \\ a newline \n and "quotes".', labelNames: ['value'], registers,
  });
  const values = ['say "hi"', 'C:\\dir\\file.txt', 'line1\nline2', 'ünïcødé ✓ 日本語 🚀', '', '\\n is not a newline', '{braces},="'];
  values.forEach((v, i) => odd.set({ value: v }, i + 1));
  const special = new Gauge({ name: 'special_values', help: 'Non-finite and extreme values.', labelNames: ['kind'], registers });
  special.set({ kind: 'nan' }, NaN);
  special.set({ kind: 'pos_inf' }, Infinity);
  special.set({ kind: 'neg_inf' }, -Infinity);
  special.set({ kind: 'tiny' }, 5e-324);
  special.set({ kind: 'huge' }, 1.7976931348623157e308);
  special.set({ kind: 'negative' }, -0.000123);
  new Summary({ name: 'idle_duration_seconds', help: 'A summary with no observations.', percentiles: [0.5], registers });
  new Counter({ name: 'backslash_total', help: 'Ends with a backslash \\', registers }).inc(1);
  return {
    name: 'odd-text',
    registry,
    traceIds: [],
    defaultMetrics: false,
    expected: [
      ...values.map((v, i) => ({ name: 'odd_label_values', labels: { value: v }, value: i + 1 })),
      { name: 'special_values', labels: { kind: 'nan' }, value: NaN },
      { name: 'special_values', labels: { kind: 'pos_inf' }, value: Infinity },
      { name: 'special_values', labels: { kind: 'neg_inf' }, value: -Infinity },
      { name: 'special_values', labels: { kind: 'tiny' }, value: 5e-324 },
      { name: 'special_values', labels: { kind: 'huge' }, value: 1.7976931348623157e308 },
      // prom-client reports 0, not NaN, for the quantile of a summary with no observations.
      { name: 'idle_duration_seconds', labels: { quantile: '0.5' }, value: 0 },
      { name: 'idle_duration_seconds_count', labels: {}, value: 0 },
      { name: 'http_requests_total', labels: { method: 'GET', route, status_code: '200', note: 'a "b" \\ c\nd' }, value: 1 },
      { name: 'http_requests_total', labels: { method: 'GET', route: '/empty', status_code: '200', note: '' }, value: 1 },
    ],
  };
}

/** `prefix`, request and response sizes. */
function prefixSizes(): ConformanceCase {
  const registry = new Registry();
  const recorder = recorderOn(registry, { prefix: 'shop_', requestSize: true, responseSize: true });
  record(recorder, [
    { method: 'POST', route: '/cart', status: 200, headers: { 'content-length': '1500' }, responseBytes: 100 },
    { method: 'POST', route: '/cart', status: 200, headers: { 'content-length': '5000000' }, responseBytes: 20_000_000 },
    { method: 'GET', route: '/cart', status: 304 },
  ]);
  const labels = { method: 'POST', route: '/cart', status_code: '200' };
  return {
    name: 'prefix-sizes',
    registry,
    traceIds: [],
    defaultMetrics: false,
    expected: [
      { name: 'shop_http_requests_total', labels, value: 2 },
      { name: 'shop_http_request_size_bytes_bucket', labels: { ...labels, le: '4096' }, value: 1 },
      { name: 'shop_http_request_size_bytes_bucket', labels: { ...labels, le: '4194304' }, value: 1 },
      { name: 'shop_http_request_size_bytes_bucket', labels: { ...labels, le: '16777216' }, value: 2 },
      { name: 'shop_http_request_size_bytes_sum', labels, value: 5_001_500 },
      { name: 'shop_http_response_size_bytes_bucket', labels: { ...labels, le: '256' }, value: 1 },
      { name: 'shop_http_response_size_bytes_bucket', labels: { ...labels, le: '16777216' }, value: 1 },
      { name: 'shop_http_response_size_bytes_bucket', labels: { ...labels, le: '+Inf' }, value: 2 },
      { name: 'shop_http_response_size_bytes_sum', labels, value: 20_000_100 },
      { name: 'shop_http_requests_in_flight', labels: { method: 'POST' }, value: 0 },
    ],
  };
}

const TRACE_A = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACE_B = '0af7651916cd43dd8448eb211c80319c';
const TRACE_C = 'a3ce929d0e0e47364bf92f3577b34da6';

/** `naming: 'otel'` with sizes and exemplars from `traceparent`. */
function otelExemplars(): ConformanceCase {
  const registry = new Registry();
  const recorder = recorderOn(registry, { naming: 'otel', requestSize: true, responseSize: true });
  record(recorder, [
    { method: 'GET', route: '/items/:id', status: 200, headers: traceparent(TRACE_A), responseBytes: 300 },
    { method: 'DELETE', route: '/items/:id', status: 500, headers: { ...traceparent(TRACE_B), 'content-length': '10' } },
  ]);
  const labels = { http_request_method: 'GET', http_route: '/items/:id', http_response_status_code: '200' };
  return {
    name: 'otel-exemplars',
    registry,
    traceIds: [TRACE_A, TRACE_B],
    defaultMetrics: false,
    expected: [
      { name: 'http_server_request_duration_seconds_count', labels, value: 1 },
      { name: 'http_server_response_body_size_bytes_bucket', labels: { ...labels, le: '1024' }, value: 1 },
      { name: 'http_server_response_body_size_bytes_bucket', labels: { ...labels, le: '256' }, value: 0 },
      {
        name: 'http_server_request_body_size_bytes_sum',
        labels: { http_request_method: 'DELETE', http_route: '/items/:id', http_response_status_code: '500' },
        value: 10,
      },
      { name: 'http_server_active_requests', labels: { http_request_method: 'DELETE' }, value: 0 },
    ],
  };
}

/** Default naming with exemplars (counter and buckets), and the user's own prom-client exemplars. */
function exemplars(): ConformanceCase {
  // prom-client accepts exemplars only on a registry created for OpenMetrics; promwire's writer
  // serves both formats from it.
  // (prom-client's typings leave out the constructor's content type argument.)
  const registry = new (Registry as unknown as new (contentType: string) => Registry)(Registry.OPENMETRICS_CONTENT_TYPE);
  const recorder = recorderOn(registry, { prefix: 'api_' });
  record(recorder, [{ method: 'GET', route: '/health', status: 200, headers: traceparent(TRACE_A) }]);
  const orders = new Counter({ name: 'orders_total', help: 'Orders.', labelNames: ['kind'], enableExemplars: true, registers: [registry] });
  orders.inc({ labels: { kind: 'web' }, value: 2, exemplarLabels: traceLabel(TRACE_B) });
  const checkout = new Histogram({
    name: 'checkout_duration_seconds', help: 'Checkout time.', buckets: [0.1, 1], enableExemplars: true, registers: [registry],
  });
  checkout.observe({ value: 0.3, exemplarLabels: traceLabel(TRACE_C) });
  return {
    name: 'exemplars',
    registry,
    traceIds: [TRACE_A, TRACE_B, TRACE_C],
    defaultMetrics: false,
    expected: [
      { name: 'api_http_requests_total', labels: { method: 'GET', route: '/health', status_code: '200' }, value: 1 },
      { name: 'orders_total', labels: { kind: 'web' }, value: 2 },
      { name: 'checkout_duration_seconds_bucket', labels: { le: '1' }, value: 1 },
    ],
  };
}

/** A registry with the client's default metrics only: the baseline of promtool's findings. */
export function defaultMetricsOnly(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

export function buildCases(): ConformanceCase[] {
  return [clientTypes(), labelClash(), oddText(), prefixSizes(), otelExemplars(), exemplars()];
}

/**
 * The canonical OpenMetrics rendering of every `le` and `quantile` number the registries use,
 * written by hand from the OpenMetrics 1.0 examples and Go's `%g` (which the Go client writes),
 * not computed by the code under test.
 */
export const CANONICAL: ReadonlyMap<number, string> = new Map([
  [1e-5, '1e-05'], [0.001, '0.001'], [0.005, '0.005'], [0.01, '0.01'], [0.025, '0.025'], [0.05, '0.05'],
  [0.075, '0.075'], [0.1, '0.1'], [0.25, '0.25'], [0.5, '0.5'], [0.6, '0.6'], [0.7, '0.7'], [0.75, '0.75'],
  [0.8, '0.8'], [0.9, '0.9'], [0.95, '0.95'],
  [0.99, '0.99'], [0.999, '0.999'], [1, '1.0'], [2, '2.0'], [2.5, '2.5'], [5, '5.0'], [7.5, '7.5'], [10, '10.0'],
  [64, '64.0'], [256, '256.0'], [1024, '1024.0'], [4096, '4096.0'], [16384, '16384.0'], [65536, '65536.0'],
  [100000, '100000.0'], [262144, '262144.0'], [1e6, '1e+06'], [1048576, '1.048576e+06'], [4194304, '4.194304e+06'],
  [16777216, '1.6777216e+07'], [1e10, '1e+10'], [Infinity, '+Inf'],
]);
