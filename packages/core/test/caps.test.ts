/**
 * `maxLabelValues` holds per registry: every recorder on one registry shares the families'
 * series index and with it one allowance of distinct values per label, so the number of
 * series stays bounded however many recorders (middlewares, hot reloads, test apps) write.
 */
import { Registry } from 'prom-client';
import { createHttpMetrics } from '../src';
import { renderRegistry } from '../src/exposition';
import { parseExposition } from '../../../test/helpers/exposition';

interface Req { tenant: string }

const DISTINCT = 20_000;
const MAX = 1000;
const summary: string[] = [];

afterAll(() => {
  console.log(`caps per registry (${DISTINCT} distinct route and tenant values, maxLabelValues ${MAX}): ${summary.join('; ')}`);
});

describe.each([1, 2, 10])('%i recorder(s) on one registry', (recorders) => {
  test(`keep at most maxLabelValues distinct values per label, and count the overflow`, async () => {
    const registry = new Registry();
    const all = Array.from({ length: recorders }, () =>
      createHttpMetrics<Req, unknown>({
        registry,
        defaultMetrics: false,
        maxLabelValues: MAX,
        labels: { tenant: (req) => req.tenant },
      }),
    );
    for (let i = 0; i < DISTINCT; i++) {
      const recorder = all[i % recorders]!;
      const state = recorder.begin({ tenant: `t${(i * 7919) % DISTINCT}` }, {}, { method: 'GET', headers: {} })!;
      state.route = `/r/${i}`;
      recorder.end(state, 200);
    }

    const exp = parseExposition(await renderRegistry(registry, false));
    const series = exp.find('http_requests_total');
    const distinct = (label: string): Set<string> => new Set(series.map((s) => s.labels[label]!));
    const routes = distinct('route');
    const tenants = distinct('tenant');
    summary.push(`${recorders} recorder(s): ${series.length} series, ${routes.size} route values, ${tenants.size} tenant values`);

    expect(exp.sum('http_requests_total')).toBe(DISTINCT);
    for (const values of [routes, tenants]) {
      expect(values.has('__overflow__')).toBe(true);
      expect([...values].filter((v) => v !== '__overflow__')).toHaveLength(MAX);
    }
    expect(series.length).toBeLessThanOrEqual(MAX + 1);
    expect(exp.find('http_request_duration_seconds_count')).toHaveLength(series.length);
    const overflow = (label: string): number | undefined =>
      exp.value('promwire_label_overflow_total', { metric: 'http_requests_total', label });
    expect(overflow('route')).toBe(DISTINCT - MAX);
    expect(overflow('tenant')).toBe(DISTINCT - MAX);
    expect(exp.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
  });
});

test('a second recorder on the registry with another maxLabelValues is refused, naming the option', () => {
  const registry = new Registry();
  createHttpMetrics({ registry, defaultMetrics: false, maxLabelValues: 50 });
  expect(() => createHttpMetrics({ registry, defaultMetrics: false, maxLabelValues: 60 })).toThrow(
    /metric "http_requests_total" is already registered in this registry with a different `maxLabelValues` option \(50, asked for 60\)/,
  );
  expect(() => createHttpMetrics({ registry, defaultMetrics: false, maxLabelValues: 50 })).not.toThrow();
});

test('every overflow is counted, also the first of a label past the overflow counter\'s first column (16 series)', async () => {
  const registry = new Registry();
  const names = ['a', 'b', 'c', 'd', 'e'];
  const recorder = createHttpMetrics<Record<string, string>, unknown>({
    registry,
    defaultMetrics: false,
    maxLabelValues: 1,
    requestSize: true,
    responseSize: true,
    labels: Object.fromEntries(names.map((n) => [n, (req: Record<string, string>) => req[n]!])),
  });
  for (const value of ['first', 'second']) {
    const state = recorder.begin(Object.fromEntries(names.map((n) => [n, value])), {}, { method: 'GET', headers: {} })!;
    state.route = `/${value}`;
    recorder.end(state, 200);
  }
  // The second request overflows route and a..e in each of the four families: 24 series, one each.
  const exp = parseExposition(await renderRegistry(registry, false));
  const overflows = exp.find('promwire_label_overflow_total');
  expect(overflows).toHaveLength(24);
  expect(overflows.filter((s) => s.value !== 1)).toEqual([]);
});
