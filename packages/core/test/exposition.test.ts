import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { createHttpMetrics } from '../src';
import { renderRegistry } from '../src/exposition';
import { canonicalLabelNumber, canonicalNumber } from '../src/format';
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

  test('a custom label named like a default label keeps the series value, once (the series wins)', async () => {
    const registry = new Registry();
    registry.setDefaultLabels({ tenant: 'from-default-labels', region: 'eu' });
    const recorder = createHttpMetrics({
      registry, defaultMetrics: false, requestSize: true,
      labels: { tenant: (req: { tenant: string }) => req.tenant },
    });
    const own = new Counter({ name: 'jobs_total', help: 'j', labelNames: ['tenant'], registers: [registry] });
    own.inc({ tenant: 'from-user' });
    new Gauge({ name: 'plain', help: 'p', registers: [registry] }).set(1);
    const state = recorder.begin({ tenant: 'from-request' }, {}, { method: 'GET', headers: {} })!;
    state.route = '/a';
    recorder.end(state, 200);

    for (const openMetrics of [false, true]) {
      const text = await renderRegistry(registry, openMetrics);
      // Every sample line names each label once (the helper's parser throws on a duplicate).
      for (const line of text.split('\n').filter((l) => l !== '' && !l.startsWith('#'))) {
        expect(line.match(/tenant="/g)?.length ?? 0).toBeLessThanOrEqual(1);
      }
      const exp = parseExposition(text);
      expect(exp.value('http_requests_total', { route: '/a' })).toBe(1);
      expect(exp.find('http_requests_total')[0]!.labels).toMatchObject({ tenant: 'from-request', region: 'eu' });
      for (const sample of [...exp.find('http_request_duration_seconds_bucket'), ...exp.find('http_request_size_bytes_count')]) {
        expect(sample.labels).toMatchObject({ tenant: 'from-request', region: 'eu' });
      }
      // Families without the label still get the default value; the in-flight gauge has only `method`.
      expect(exp.find('http_requests_in_flight')[0]!.labels).toMatchObject({ tenant: 'from-default-labels', region: 'eu' });
      expect(exp.value('jobs_total', { tenant: 'from-user', region: 'eu' })).toBe(1);
      expect(exp.value('plain', { tenant: 'from-default-labels', region: 'eu' })).toBe(1);
    }
  });

  test.each([
    // OpenMetrics 1.0, "Canonical Numbers": the examples the spec gives.
    [0, '0.0'], [0.001, '0.001'], [0.002, '0.002'], [0.01, '0.01'], [0.1, '0.1'], [0.9, '0.9'], [0.95, '0.95'],
    [0.99, '0.99'], [0.999, '0.999'], [1, '1.0'], [1.7, '1.7'], [10, '10.0'],
    [1e-10, '1e-10'], [1e-9, '1e-09'], [1e-5, '1e-05'], [0.0001, '0.0001'], [100000, '100000.0'], [1e6, '1e+06'], [1e10, '1e+10'],
    // Go's %g beyond them: exponent form from 1e+06, shortest digits, two exponent digits at least.
    [0.005, '0.005'], [0.075, '0.075'], [2.5, '2.5'], [64, '64.0'], [262144, '262144.0'], [4194304, '4.194304e+06'],
    [1234567.5, '1.2345675e+06'], [0.000012, '1.2e-05'], [0.00012, '0.00012'], [1e21, '1e+21'], [1.5e300, '1.5e+300'],
    [5e-324, '5e-324'], [0.1 + 0.2, '0.30000000000000004'], [-1, '-1.0'], [-0.5, '-0.5'], [-2e7, '-2e+07'], [-0, '0.0'],
    [Infinity, '+Inf'], [-Infinity, '-Inf'], [NaN, 'NaN'],
  ])('canonical OpenMetrics number %p is %p', (value, text) => {
    expect(canonicalNumber(value)).toBe(text);
    expect(canonicalLabelNumber(value)).toBe(text);
  });

  test.each([
    ['1', '1.0'], ['+Inf', '+Inf'], ['1e6', '1e+06'], ['0.50', '0.5'], ['-Inf', '-Inf'], ['high', 'high'], ['', ''],
  ])('an le/quantile string %p of another writer is written %p in OpenMetrics', (value, text) => {
    expect(canonicalLabelNumber(value)).toBe(text);
  });

  test('OpenMetrics writes canonical le and quantile values; the 0.0.4 text writes what prom-client writes', async () => {
    const registry = new Registry();
    const recorder = createHttpMetrics({ registry, defaultMetrics: false, requestSize: true });
    const lat = new Histogram({ name: 'db_seconds', help: 'DB.', buckets: [0.005, 1, 10, 1e6], registers: [registry] });
    const sum = new Summary({ name: 'rpc_seconds', help: 'RPC.', percentiles: [0.5, 0.99, 1], labelNames: ['kind'], registers: [registry] });
    lat.observe(2);
    sum.observe({ kind: 'a' }, 3);
    const state = recorder.begin({}, {}, { method: 'POST', headers: { 'content-length': '5000000' } })!;
    state.route = '/a';
    recorder.end(state, 200);

    const { text, om } = await both(registry);
    const leOf = (exposition: string, name: string) => parseExposition(exposition).find(name).map((s) => s.labels.le);
    const quantilesOf = (exposition: string) => parseExposition(exposition).find('rpc_seconds').map((s) => s.labels.quantile);

    expect(leOf(om, 'db_seconds_bucket')).toEqual(['0.005', '1.0', '10.0', '1e+06', '+Inf']);
    expect(quantilesOf(om)).toEqual(['0.5', '0.99', '1.0']);
    expect(leOf(om, 'http_request_duration_seconds_bucket')).toEqual([
      '0.005', '0.01', '0.025', '0.05', '0.075', '0.1', '0.25', '0.5', '0.75', '1.0', '2.5', '5.0', '7.5', '10.0', '+Inf',
    ]);
    expect(leOf(om, 'http_request_size_bytes_bucket')).toEqual([
      '64.0', '256.0', '1024.0', '4096.0', '16384.0', '65536.0', '262144.0', '1.048576e+06', '4.194304e+06', '1.6777216e+07', '+Inf',
    ]);
    expect(parseExposition(om).value('http_request_size_bytes_bucket', { le: '1.6777216e+07' })).toBe(1);

    // The 0.0.4 text: the names prom-client's own writer gives, so no existing series changes.
    const own = parseExposition(await registry.metrics());
    expect(leOf(text, 'db_seconds_bucket')).toEqual(own.find('db_seconds_bucket').map((s) => s.labels.le));
    expect(leOf(text, 'db_seconds_bucket')).toEqual(['0.005', '1', '10', '1000000', '+Inf']);
    expect(quantilesOf(text)).toEqual(['0.5', '0.99', '1']);
    expect(quantilesOf(text)).toEqual(own.find('rpc_seconds').map((s) => s.labels.quantile));
    expect(leOf(text, 'http_request_size_bytes_bucket')).toEqual(own.find('http_request_size_bytes_bucket').map((s) => s.labels.le));
    expect(leOf(text, 'http_request_duration_seconds_bucket')).toContain('1');
  });

  test('OpenMetrics metadata comes in the order TYPE, HELP; the 0.0.4 text keeps HELP, TYPE', async () => {
    const registry = new Registry();
    createHttpMetrics({ registry, defaultMetrics: false });
    new Gauge({ name: 'temperature_celsius', help: 'Now.', registers: [registry] }).set(1);
    const { text, om } = await both(registry);
    const metadata = (exposition: string) => exposition.split('\n').filter((l) => l.startsWith('# ')).map((l) => l.split(' ').slice(1, 3).join(' '));
    expect(metadata(om)).toEqual(expect.arrayContaining(['TYPE http_requests', 'HELP http_requests']));
    const omLines = metadata(om);
    for (const family of ['http_requests', 'http_request_duration_seconds', 'http_requests_in_flight', 'temperature_celsius']) {
      expect(omLines.indexOf(`TYPE ${family}`)).toBe(omLines.indexOf(`HELP ${family}`) - 1);
    }
    const textLines = metadata(text);
    for (const family of ['http_requests_total', 'http_request_duration_seconds', 'http_requests_in_flight', 'temperature_celsius']) {
      expect(textLines.indexOf(`HELP ${family}`)).toBe(textLines.indexOf(`TYPE ${family}`) - 1);
    }
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
