import { Registry } from 'prom-client';
import { type HttpRecorderOptions, createHttpMetrics } from '../src';
import { renderRegistry } from '../src/exposition';
import { parseExposition, type Exposition } from '../../../test/helpers/exposition';

interface Req { path: string; tenant?: unknown }

function setup(options: HttpRecorderOptions<Req, unknown> = {}) {
  const registry = new Registry();
  const recorder = createHttpMetrics<Req, unknown>({ registry, defaultMetrics: false, ...options });
  const record = (method: string, route: string | undefined, status: number, req: Req = { path: '/' }, aborted = false) => {
    const state = recorder.begin(req, {}, { method, url: req.path, headers: {} });
    if (state === undefined) return;
    state.route = route;
    recorder.end(state, status, aborted);
  };
  const scrape = async (openMetrics = false): Promise<Exposition> => parseExposition(await renderRegistry(registry, openMetrics));
  return { registry, recorder, record, scrape };
}

describe('the recorder', () => {
  test('counts, times and un-counts in-flight requests by method, route and status', async () => {
    const { recorder, record, scrape } = setup();
    record('GET', '/users/:id', 200);
    record('GET', '/users/:id', 200);
    record('POST', '/users', 201);
    const pending = recorder.begin({ path: '/' }, {}, { method: 'PUT', headers: {} })!;
    const exp = await scrape();
    expect(exp.value('http_requests_total', { method: 'GET', route: '/users/:id', status_code: '200' })).toBe(2);
    expect(exp.value('http_requests_total', { method: 'POST', route: '/users', status_code: '201' })).toBe(1);
    expect(exp.value('http_request_duration_seconds_count', { route: '/users/:id' })).toBe(2);
    expect(exp.value('http_request_duration_seconds_bucket', { route: '/users/:id', le: '+Inf' })).toBe(2);
    expect(exp.value('http_requests_in_flight', { method: 'PUT' })).toBe(1);
    expect(exp.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
    recorder.end(pending, 200);
    expect((await scrape()).value('http_requests_in_flight', { method: 'PUT' })).toBe(0);
  });

  test('a request ends once: a second end, as after finish then close, changes nothing', async () => {
    const { recorder, scrape } = setup();
    const state = recorder.begin({ path: '/' }, {}, { method: 'GET', headers: {} })!;
    state.route = '/a';
    recorder.end(state, 200);
    recorder.end(state, 200, true);
    const exp = await scrape();
    expect(exp.sum('http_requests_total')).toBe(1);
    expect(exp.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
  });

  test('an aborted request is 499; no route is __unmatched__; unknown methods are _OTHER', async () => {
    const { record, scrape } = setup();
    record('GET', '/slow', 200, { path: '/slow' }, true);
    record('GET', undefined, 404);
    record('BREW', undefined, 404);
    const exp = await scrape();
    expect(exp.value('http_requests_total', { route: '/slow', status_code: '499' })).toBe(1);
    expect(exp.value('http_requests_total', { method: 'GET', route: '__unmatched__', status_code: '404' })).toBe(1);
    expect(exp.value('http_requests_total', { method: '_OTHER', route: '__unmatched__' })).toBe(1);
  });

  test('groupStatusCodes records classes', async () => {
    const { record, scrape } = setup({ groupStatusCodes: true });
    record('GET', '/a', 200);
    record('GET', '/a', 204);
    record('GET', '/a', 503);
    const exp = await scrape();
    expect(exp.value('http_requests_total', { status_code: '2xx' })).toBe(2);
    expect(exp.value('http_requests_total', { status_code: '5xx' })).toBe(1);
  });

  test('maxLabelValues caps every label and counts what was capped', async () => {
    const { record, scrape } = setup({ maxLabelValues: 3, labels: { tenant: (req: Req) => String(req.tenant) } });
    for (let i = 0; i < 10; i++) record('GET', `/r${i}`, 200, { path: '/', tenant: 't' });
    for (let i = 0; i < 10; i++) record('GET', '/r0', 200, { path: '/', tenant: `t${i}` });
    const exp = await scrape();
    const routes = new Set(exp.find('http_requests_total').map((s) => s.labels.route));
    expect(routes).toEqual(new Set(['/r0', '/r1', '/r2', '__overflow__']));
    const tenants = new Set(exp.find('http_requests_total').map((s) => s.labels.tenant));
    expect(tenants).toEqual(new Set(['t', 't0', 't1', '__overflow__']));
    expect(exp.sum('http_requests_total')).toBe(20);
    expect(exp.value('promwire_label_overflow_total', { metric: 'http_requests_total', label: 'route' })).toBe(7);
    expect(exp.value('promwire_label_overflow_total', { metric: 'http_requests_total', label: 'tenant' })).toBe(8);
    expect(exp.value('promwire_label_overflow_total', { metric: 'http_request_duration_seconds', label: 'route' })).toBe(7);
  });

  test('label values are cut to 256 characters', async () => {
    const { record, scrape } = setup();
    record('GET', `/${'x'.repeat(1000)}`, 200);
    const [sample] = (await scrape()).find('http_requests_total');
    expect(sample!.labels.route).toHaveLength(256);
  });

  test('custom labels: fixed values, functions, and functions that throw or return non-strings give ""', async () => {
    const { record, scrape } = setup({
      labels: {
        region: 'eu',
        tenant: (req: Req) => {
          if (req.tenant === 'boom') throw new Error('boom');
          return req.tenant as string;
        },
      },
    });
    record('GET', '/a', 200, { path: '/', tenant: 'acme' });
    record('GET', '/a', 200, { path: '/', tenant: 'boom' });
    record('GET', '/a', 200, { path: '/', tenant: 42 });
    const exp = await scrape();
    expect(exp.value('http_requests_total', { region: 'eu', tenant: 'acme' })).toBe(1);
    expect(exp.value('http_requests_total', { region: 'eu', tenant: '' })).toBe(2);
  });

  test('exclude matches the template, or the path of an unmatched request; skip drops requests', async () => {
    const { record, scrape } = setup({
      exclude: ['/health', /^\/internal\//],
      skip: (req: Req) => {
        if (req.path === '/throws') throw new Error('skip threw');
        return req.path === '/skipped';
      },
    });
    record('GET', '/health', 200);
    record('GET', undefined, 404, { path: '/internal/x?y=1' });
    record('GET', '/kept', 200, { path: '/skipped' });
    record('GET', '/kept', 200, { path: '/throws' });
    record('GET', undefined, 404, { path: '/other' });
    const exp = await scrape();
    expect(exp.find('http_requests_total').map((s) => [s.labels.route, s.value])).toEqual([
      ['/kept', 1],
      ['__unmatched__', 1],
    ]);
    expect(exp.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
  });

  test('a global or sticky RegExp in exclude matches every time, not every other time', async () => {
    const { record, scrape } = setup({ exclude: [/^\/internal/g, /^\/private/y] });
    for (let i = 0; i < 4; i++) {
      record('GET', '/internal/a', 200);
      record('GET', '/private/b', 200);
    }
    record('GET', '/public', 200);
    expect((await scrape()).find('http_requests_total').map((s) => s.labels.route)).toEqual(['/public']);
  });

  test('the overflow counter carries the prefix like every other name', async () => {
    const { record, scrape } = setup({ prefix: 'shop_', maxLabelValues: 1 });
    record('GET', '/a', 200);
    record('GET', '/b', 200);
    expect((await scrape()).value('shop_promwire_label_overflow_total', { metric: 'shop_http_requests_total', label: 'route' })).toBe(1);
  });

  test('a throwing routeOf counts as unmatched', async () => {
    const registry = new Registry();
    const recorder = createHttpMetrics<object, object>({
      registry, defaultMetrics: false,
      routeOf: () => {
        throw new Error('no');
      },
    });
    recorder.end(recorder.begin({}, {}, { method: 'GET', headers: {} })!, 200);
    expect(parseExposition(await renderRegistry(registry, false)).value('http_requests_total', { route: '__unmatched__' })).toBe(1);
  });

  test('prefix and sizes', async () => {
    const { recorder, scrape } = setup({ prefix: 'shop_', requestSize: true, responseSize: true, sizeBuckets: [100, 1000] });
    const state = recorder.begin({ path: '/' }, {}, { method: 'POST', headers: { 'content-length': '512' } })!;
    state.route = '/orders';
    state.responseBytes = 50;
    recorder.end(state, 201);
    const exp = await scrape();
    expect(exp.value('shop_http_requests_total', { route: '/orders' })).toBe(1);
    expect(exp.value('shop_http_request_size_bytes_sum')).toBe(512);
    expect(exp.value('shop_http_request_size_bytes_bucket', { le: '100' })).toBe(0);
    expect(exp.value('shop_http_request_size_bytes_bucket', { le: '1000' })).toBe(1);
    expect(exp.value('shop_http_response_size_bytes_sum')).toBe(50);
    expect(exp.value('shop_http_requests_in_flight', { method: 'POST' })).toBe(0);
  });

  test("naming: 'otel' uses the semantic-convention names, with no separate counter", async () => {
    const { record, scrape } = setup({ naming: 'otel' });
    record('GET', '/a', 200);
    const exp = await scrape();
    expect(exp.find('http_requests_total')).toHaveLength(0);
    expect(
      exp.value('http_server_request_duration_seconds_count', { http_request_method: 'GET', http_route: '/a', http_response_status_code: '200' }),
    ).toBe(1);
    expect(exp.value('http_server_active_requests', { http_request_method: 'GET' })).toBe(0);
  });

  test('duration buckets default to OpenTelemetry’s and are configurable', async () => {
    const { record, scrape } = setup();
    record('GET', '/a', 200);
    const les = (await scrape()).find('http_request_duration_seconds_bucket').map((s) => s.labels.le);
    expect(les).toEqual(['0.005', '0.01', '0.025', '0.05', '0.075', '0.1', '0.25', '0.5', '0.75', '1', '2.5', '5', '7.5', '10', '+Inf']);
    const custom = setup({ durationBuckets: [0.5, 2] });
    custom.record('GET', '/a', 200);
    expect((await custom.scrape()).find('http_request_duration_seconds_bucket').map((s) => s.labels.le)).toEqual(['0.5', '2', '+Inf']);
  });

  test('a traceparent gives trace_id exemplars in OpenMetrics only', async () => {
    const { recorder, scrape } = setup();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const state = recorder.begin({ path: '/' }, {}, {
      method: 'GET', headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    })!;
    state.route = '/traced';
    recorder.end(state, 200);
    const om = await scrape(true);
    expect(om.find('http_requests_total', { route: '/traced' })[0]!.exemplar?.labels).toEqual({ trace_id: traceId });
    const buckets = om.find('http_request_duration_seconds_bucket', { route: '/traced' }).filter((s) => s.exemplar);
    expect(buckets).toHaveLength(1);
    expect(buckets[0]!.exemplar!.labels.trace_id).toBe(traceId);
    expect((await scrape(false)).samples.some((s) => s.exemplar)).toBe(false);
  });

  test('malformed traceparent headers are ignored', async () => {
    const { recorder, scrape } = setup();
    for (const header of ['garbage', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, `00-${'Z'.repeat(32)}-00f067aa0ba902b7-01`]) {
      const state = recorder.begin({ path: '/' }, {}, { method: 'GET', headers: { traceparent: header } })!;
      recorder.end(state, 200);
    }
    expect((await scrape(true)).samples.some((s) => s.exemplar)).toBe(false);
  });
});
