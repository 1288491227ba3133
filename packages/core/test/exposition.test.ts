import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { createHttpMetrics } from '../src';
import { renderRegistry } from '../src/exposition';
import { parseExposition } from '../../../test/helpers/exposition';

async function both(registry: Registry) {
  return { text: await renderRegistry(registry, false), om: await renderRegistry(registry, true) };
}

describe('exposition writer', () => {
  test("the user's own prom-client metrics and promwire's share one exposition in both formats", async () => {
    const registry = new Registry();
    const recorder = createHttpMetrics({ registry, defaultMetrics: false });
    const jobs = new Counter({ name: 'jobs_total', help: 'Jobs done.', labelNames: ['queue'], registers: [registry] });
    const temp = new Gauge({ name: 'temperature_celsius', help: 'Now.', registers: [registry] });
    const lat = new Histogram({ name: 'db_seconds', help: 'DB.', buckets: [0.1, 1], registers: [registry] });
    const sum = new Summary({ name: 'rpc_seconds', help: 'RPC.', percentiles: [0.5], registers: [registry] });
    jobs.inc({ queue: 'mail' }, 3);
    temp.set(-4.5);
    lat.observe(0.5);
    sum.observe(2);
    const state = recorder.begin({}, {}, { method: 'GET', headers: {} })!;
    state.route = '/a';
    recorder.end(state, 200);

    const { text, om } = await both(registry);
    const t = parseExposition(text);
    expect(t.types.get('http_requests_total')).toBe('counter');
    expect(t.value('http_requests_total', { route: '/a' })).toBe(1);
    expect(t.value('jobs_total', { queue: 'mail' })).toBe(3);
    expect(t.value('temperature_celsius')).toBe(-4.5);
    expect(t.value('db_seconds_bucket', { le: '1' })).toBe(1);
    expect(t.value('rpc_seconds', { quantile: '0.5' })).toBe(2);
    expect(text.endsWith('\n')).toBe(true);
    expect(text).not.toContain('# EOF');

    const o = parseExposition(om);
    expect(o.types.get('http_requests')).toBe('counter');
    expect(o.types.get('jobs')).toBe('counter');
    expect(o.value('http_requests_total', { route: '/a' })).toBe(1);
    expect(o.value('jobs_total', { queue: 'mail' })).toBe(3);
    expect(om.endsWith('# EOF\n')).toBe(true);
    // prom-client's own OpenMetrics path renames counters in place; ours leaves them alone.
    expect(parseExposition(await renderRegistry(registry, false)).types.get('http_requests_total')).toBe('counter');
  });

  test('label values and help text are escaped', async () => {
    const registry = new Registry();
    const recorder = createHttpMetrics({ registry, defaultMetrics: false });
    new Gauge({ name: 'odd', help: 'back\\slash\nnewline', labelNames: ['v'], registers: [registry] }).set({ v: 'a"b\\c\nd' }, 1);
    const state = recorder.begin({}, {}, { method: 'GET', headers: {} })!;
    state.route = '/q"\\\n';
    recorder.end(state, 200);
    const { text } = await both(registry);
    expect(text).toContain('# HELP odd back\\\\slash\\nnewline');
    const exp = parseExposition(text);
    expect(exp.value('odd', { v: 'a"b\\c\nd' })).toBe(1);
    expect(exp.value('http_requests_total', { route: '/q"\\\n' })).toBe(1);
  });

  test('default labels of the registry appear on every series', async () => {
    const registry = new Registry();
    registry.setDefaultLabels({ service: 'shop' });
    const recorder = createHttpMetrics({ registry, defaultMetrics: false });
    new Gauge({ name: 'g', help: 'g', registers: [registry] }).set(1);
    const state = recorder.begin({}, {}, { method: 'GET', headers: {} })!;
    recorder.end(state, 200);
    const exp = parseExposition(await renderRegistry(registry, false));
    expect(exp.value('g', { service: 'shop' })).toBe(1);
    expect(exp.value('http_requests_total', { service: 'shop' })).toBe(1);
    expect(exp.value('http_request_duration_seconds_bucket', { service: 'shop', le: '+Inf' })).toBe(1);
  });

  test("prom-client's own serializer still reads promwire's families (Pushgateway, cluster)", async () => {
    const registry = new Registry();
    const recorder = createHttpMetrics({ registry, defaultMetrics: false });
    const state = recorder.begin({}, {}, { method: 'GET', headers: {} })!;
    state.route = '/a';
    recorder.end(state, 200);
    const exp = parseExposition(await registry.metrics());
    expect(exp.value('http_requests_total', { route: '/a' })).toBe(1);
    expect(exp.value('http_request_duration_seconds_count', { route: '/a' })).toBe(1);
    const json = await registry.getMetricsAsJSON();
    expect(json.find((m) => m.name === 'http_requests_total')?.values[0]?.value).toBe(1);
  });

  test('a collector that throws rejects the whole exposition', async () => {
    const registry = new Registry();
    new Gauge({
      name: 'broken', help: 'b', registers: [registry],
      collect() {
        throw new Error('sensor unplugged');
      },
    });
    await expect(renderRegistry(registry, false)).rejects.toThrow('sensor unplugged');
  });
});
