import { Counter, Registry } from 'prom-client';
import { createHttpMetrics } from '../src';
import { parseExposition } from '../../../test/helpers/exposition';
import { renderRegistry } from '../src/exposition';

const raw = { method: 'GET', url: '/', headers: {} };

describe('registration on one registry', () => {
  test('the same configuration twice reuses the collectors: one series, counted by both', async () => {
    const registry = new Registry();
    const a = createHttpMetrics({ registry, defaultMetrics: false });
    const b = createHttpMetrics({ registry, defaultMetrics: false });
    for (const recorder of [a, b]) {
      const state = recorder.begin({}, {}, raw)!;
      state.route = '/x';
      recorder.end(state, 200);
    }
    const text = await renderRegistry(registry, false);
    const exp = parseExposition(text);
    expect(exp.find('http_requests_total')).toHaveLength(1);
    expect(exp.value('http_requests_total', { route: '/x' })).toBe(2);
    expect(text.match(/# TYPE http_requests_total /g)).toHaveLength(1);
  });

  test.each<[string, Record<string, unknown>, RegExp]>([
    ['buckets', { durationBuckets: [0.1, 1] }, /metric "http_request_duration_seconds" is already registered .* different `durationBuckets` option/],
    ['labels', { labels: { tenant: 'a' } }, /metric "http_requests_total" is already registered .* different label set, `labels` option/],
    ['status grouping', { groupStatusCodes: true }, /metric "http_requests_total" is already registered .* different `groupStatusCodes` option \(false, asked for true\)/],
  ])('a differing %s is one clear error naming metric and option', (_, options, message) => {
    const registry = new Registry();
    createHttpMetrics({ registry, defaultMetrics: false });
    expect(() => createHttpMetrics({ registry, defaultMetrics: false, ...options })).toThrow(message);
  });

  test("a name taken by the user's own metric is a clear error, not prom-client's", () => {
    const registry = new Registry();
    new Counter({ name: 'http_requests_total', help: 'mine', registers: [registry] });
    expect(() => createHttpMetrics({ registry })).toThrow(
      /^@promwire\/core: a metric named "http_requests_total" is already registered in this registry by other code/,
    );
  });

  test('default process metrics are registered once per registry, and not with defaultMetrics: false', async () => {
    const registry = new Registry();
    createHttpMetrics({ registry });
    createHttpMetrics({ registry });
    const exp = parseExposition(await renderRegistry(registry, false));
    expect(exp.types.get('process_cpu_user_seconds_total')).toBe('counter');
    const bare = new Registry();
    createHttpMetrics({ registry: bare, defaultMetrics: false });
    expect(parseExposition(await renderRegistry(bare, false)).types.has('process_cpu_user_seconds_total')).toBe(false);
  });

  test('two registries never see each other', async () => {
    const one = new Registry();
    const two = new Registry();
    const recorder = createHttpMetrics({ registry: one, defaultMetrics: false });
    createHttpMetrics({ registry: two, defaultMetrics: false });
    const state = recorder.begin({}, {}, raw)!;
    recorder.end(state, 200);
    expect(parseExposition(await renderRegistry(one, false)).sum('http_requests_total')).toBe(1);
    expect(parseExposition(await renderRegistry(two, false)).sum('http_requests_total')).toBe(0);
  });
});
