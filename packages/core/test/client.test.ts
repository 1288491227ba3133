import { join } from 'node:path';
import { Counter, createHttpMetrics, defaultRegistry, type Registry } from '../src';
import { renderRegistry } from '../src/exposition';
import {
  BOTH_CLIENTS_WARNING, type ClientModule, chooseDefaultClient, installedClients, requireClient, warnOncePerProcess,
} from '../src/client/select';
import { clientForConfig } from '../src/client/metric-classes';
import { parseExposition } from '../../../test/helpers/exposition';

const ROOT = join(__dirname, '../../..');
/** Both real clients, by path: a run that maps `prom-client` onto the other client does not reach these. */
const real: [string, ClientModule][] = [
  ['prom-client', require(join(ROOT, 'node_modules/prom-client')) as ClientModule],
  ['@prometheus-io/client', require(join(ROOT, 'node_modules/@prometheus-io/client')) as ClientModule],
];

function fake(): ClientModule {
  return { Registry: class {}, register: {} } as unknown as ClientModule;
}

describe('choosing the default client', () => {
  const io = fake();
  const pc = fake();
  type Row = [string, ClientModule[], unknown, string | undefined, string | RegExp, boolean];
  test.each<Row>([
    ['only prom-client installed', [pc], undefined, undefined, 'prom-client', false],
    ['only @prometheus-io/client installed', [io], undefined, undefined, '@prometheus-io/client', false],
    ['both installed, nothing chooses: @prometheus-io/client, with the warning', [io, pc], undefined, undefined, '@prometheus-io/client', true],
    ['both, an empty PROMWIRE_CLIENT chooses nothing', [io, pc], undefined, '', '@prometheus-io/client', true],
    ['both, PROMWIRE_CLIENT=prom-client', [io, pc], undefined, 'prom-client', 'prom-client', false],
    ['both, the client option wins over PROMWIRE_CLIENT', [io, pc], 'prom-client', '@prometheus-io/client', 'prom-client', false],
    ['none installed', [], undefined, undefined, /^@promwire\/x: no Prometheus client library found.*'@prometheus-io\/client'.*'prom-client' 15/, false],
    ['chosen but not installed', [io], 'prom-client', undefined, /^@promwire\/x: client 'prom-client' was chosen \(client option\) but is not installed: npm install prom-client$/, false],
    ['PROMWIRE_CLIENT names a missing one', [pc], undefined, '@prometheus-io/client', /chosen \(PROMWIRE_CLIENT\) but is not installed/, false],
    ['a client option that is no client', [io, pc], 'prometheus', undefined, /^@promwire\/x: client must be '@prometheus-io\/client' or 'prom-client', got "prometheus"$/, false],
    ['a PROMWIRE_CLIENT that is no client', [io, pc], undefined, 'prom', /^@promwire\/x: PROMWIRE_CLIENT must be '@prometheus-io\/client' or 'prom-client', got "prom"$/, false],
  ])('%s', (_, modules, option, env, expected, warned) => {
    const load = (name: string) => (name === '@prometheus-io/client' ? modules.find((m) => m === io) : modules.find((m) => m === pc));
    const warnings: string[] = [];
    const choose = () => chooseDefaultClient('@promwire/x', installedClients(load), { option, env, warn: (m) => warnings.push(m) });
    if (expected instanceof RegExp) {
      expect(choose).toThrow(expected);
    } else {
      expect(choose().name).toBe(expected);
    }
    expect(warnings).toEqual(warned ? [BOTH_CLIENTS_WARNING] : []);
  });

  test('the warning names both packages and every way to choose', () => {
    expect(BOTH_CLIENTS_WARNING).toMatch(/'@prometheus-io\/client' and 'prom-client' are installed/);
    expect(BOTH_CLIENTS_WARNING).toMatch(/`client` option.*PROMWIRE_CLIENT.*`registry`/);
  });

  test('is given once per process', () => {
    const emitted = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      warnOncePerProcess(BOTH_CLIENTS_WARNING);
      warnOncePerProcess(BOTH_CLIENTS_WARNING);
      expect(emitted.mock.calls).toEqual([[BOTH_CLIENTS_WARNING, { type: 'PromwireWarning', code: 'PROMWIRE_BOTH_CLIENTS' }]]);
    } finally {
      emitted.mockRestore();
    }
  });

  test('one module under both names counts once, under the preferred name', () => {
    const one = fake();
    expect(installedClients(() => one).map((c) => c.name)).toEqual(['@prometheus-io/client']);
  });
});

// Each client promwire itself loads in this run (a run mapping prom-client onto the other client has one).
const loadable = real.filter(([name, module]) => requireClient(name as 'prom-client') === module);

describe.each(loadable)('with %s', (name, client) => {
  const clients = installedClients((n) => real.find(([m]) => m === n)?.[1]);
  const newRegistry = () => new (client.Registry as unknown as new () => Registry)();

  test("promwire's families and the user's own metric share the client's registry and /metrics", async () => {
    const registry = newRegistry();
    const recorder = createHttpMetrics({ registry, defaultMetrics: false });
    const jobs = new (client.Counter as unknown as typeof Counter)({ name: 'jobs_total', help: 'Jobs.', registers: [registry] });
    jobs.inc(2);
    const state = recorder.begin({}, {}, { method: 'GET', url: '/a', headers: {} })!;
    state.route = '/a';
    recorder.end(state, 200);
    for (const text of [await renderRegistry(registry, false), await registry.metrics()]) {
      const exp = parseExposition(text);
      expect(exp.value('jobs_total')).toBe(2);
      expect(exp.value('http_requests_total', { method: 'GET', route: '/a', status_code: '200' })).toBe(1);
    }
    // The client's JSON path, which cluster aggregation and the Pushgateway read.
    const json = (await registry.getMetricsAsJSON()) as { name: string; values: { value: number }[] }[];
    expect(json.find((m) => m.name === 'http_requests_total')?.values.map((v) => v.value)).toEqual([1]);
  });

  test("default metrics come from the registry's own library, once per registry", async () => {
    const registry = newRegistry();
    createHttpMetrics({ registry });
    createHttpMetrics({ registry });
    const names = parseExposition(await renderRegistry(registry, false)).types;
    expect(names.get('process_cpu_user_seconds_total')).toBe('counter');
    // Only @prometheus-io/client has event-loop utilization among its default metrics.
    expect(names.has('nodejs_eventloop_utilization_summary')).toBe(name === '@prometheus-io/client');
  });

  test("promwire's Counter builds the class of the registry's client, and instanceof accepts it", () => {
    const registry = newRegistry();
    const built = clientForConfig({ registers: [registry] }, clients, { option: undefined, env: undefined, warn: () => undefined });
    expect(built.name).toBe(name);
    const orders = new Counter({ name: 'orders_total', help: 'Orders.', labelNames: ['kind'], registers: [registry] });
    expect(orders).toBeInstanceOf(client.Counter);
    expect(orders).toBeInstanceOf(Counter);
    orders.inc({ kind: 'web' });
    expect(registry.getSingleMetric('orders_total')).toBe(orders);
  });
});

describe.each(installedClients(requireClient).map((c) => [c.name, c.module] as const))('without a registry, client %s', (name, client) => {
  test('the client option records into that client’s global registry', async () => {
    createHttpMetrics({ client: name, defaultMetrics: false, prefix: 'global_' });
    expect(defaultRegistry(name)).toBe(client.register);
    expect(client.register.getSingleMetric('global_http_requests_total')).toBeDefined();
  });

  // Defined where both clients are installed: the matrix runs it on Node 20 and on Node 24 with
  // prom-client; a run that maps one client onto the other has only one to choose.
  const other = installedClients(requireClient).find((c) => c.name !== name);
  if (other !== undefined) test('a registry of the other client than the client option is refused', () => {
    const registry = new (other.module.Registry as unknown as new () => Registry)();
    expect(() => createHttpMetrics({ registry, client: name })).toThrow(
      new TypeError(`@promwire/core: registry is a ${other.name} Registry but client is '${name}'; pass one or the other`),
    );
  });
});
