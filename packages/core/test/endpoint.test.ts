import { createServer } from 'node:http';
import { Gauge, Registry } from 'prom-client';
import { createHttpMetrics, createMetricsEndpoint, metricsHandler, startMetricsServer } from '../src';
import { listen, request } from '../../../test/helpers/http';
import { parseExposition } from '../../../test/helpers/exposition';

function registryWithTraffic() {
  const registry = new Registry();
  const recorder = createHttpMetrics({ registry, defaultMetrics: false });
  const state = recorder.begin({}, {}, { method: 'GET', headers: {} })!;
  state.route = '/a';
  recorder.end(state, 200);
  return registry;
}

describe('metricsHandler on a real server', () => {
  let server: Awaited<ReturnType<typeof listen>>;
  afterEach(async () => server?.close());

  test('text by default, OpenMetrics on request, gzip when accepted', async () => {
    server = await listen(createServer(metricsHandler({ registry: registryWithTraffic() })));
    const text = await request(server.url);
    expect(text.status).toBe(200);
    expect(text.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(parseExposition(text.body).value('http_requests_total', { route: '/a' })).toBe(1);

    const om = await request(server.url, { headers: { accept: 'application/openmetrics-text' } });
    expect(om.headers['content-type']).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(om.body.endsWith('# EOF\n')).toBe(true);

    const gz = await request(server.url, { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(parseExposition(gz.body).value('http_requests_total', { route: '/a' })).toBe(1);
  });

  test('a collector that throws gives 500 with the message', async () => {
    const registry = registryWithTraffic();
    new Gauge({ name: 'broken', help: 'b', registers: [registry], collect() { throw new Error('sensor unplugged'); } });
    server = await listen(createServer(metricsHandler({ registry })));
    const reply = await request(server.url);
    expect(reply.status).toBe(500);
    expect(reply.body).toContain('sensor unplugged');
    expect(reply.body).not.toContain('http_requests_total');
  });

  test('methods other than GET and HEAD get 405', async () => {
    server = await listen(createServer(metricsHandler({ registry: registryWithTraffic() })));
    const reply = await request(server.url, { method: 'POST' });
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe('GET, HEAD');
    expect((await request(server.url, { method: 'HEAD' })).status).toBe(200);
  });

  describe('auth', () => {
    const token = 's3cret-token';
    const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
    test.each<[string, Record<string, unknown>, (string | undefined)[], string[]]>([
      ['bearer', { bearer: token }, [undefined, 'Bearer wrong', `Bearer ${token.slice(0, -1)}x`, token, `Basic ${token}`], [`Bearer ${token}`, `bearer ${token}`]],
      ['basic', { basic: { username: 'prom', password: 'pw' } }, [undefined, basic('prom', 'px'), basic('prom', 'pw ').slice(0, -1), basic('prom', '')], [basic('prom', 'pw')]],
    ])('%s: wrong credentials get 401 with a challenge, right ones 200', async (_, auth, wrong, right) => {
      server = await listen(createServer(metricsHandler({ registry: registryWithTraffic(), auth: auth as never })));
      for (const header of wrong) {
        const reply = await request(server.url, { headers: header === undefined ? {} : { authorization: header } });
        expect(reply.status).toBe(401);
        expect(reply.headers['www-authenticate']).toMatch(/^(Bearer|Basic) realm="metrics"/);
        expect(reply.body).not.toContain('http_requests_total');
      }
      for (const header of right) {
        expect((await request(server.url, { headers: { authorization: header } })).status).toBe(200);
      }
    });

    test('a function decides; one that throws denies', async () => {
      server = await listen(
        createServer(
          metricsHandler({
            registry: registryWithTraffic(),
            auth: (req) => {
              if (req.headers['x-boom']) throw new Error('boom');
              return req.headers['x-key'] === 'k';
            },
          }),
        ),
      );
      expect((await request(server.url, { headers: { 'x-key': 'k' } })).status).toBe(200);
      expect((await request(server.url, { headers: { 'x-key': 'no' } })).status).toBe(401);
      expect((await request(server.url, { headers: { 'x-key': 'k', 'x-boom': '1' } })).status).toBe(401);
    });

    test.each([[{ bearer: '' }], [{ basic: { username: 'a' } }], [{ basic: { username: 'a:b', password: 'c' } }], [42], [{ token: 'x' }]])(
      'bad auth option %j is refused at construction',
      (auth) => {
        expect(() => metricsHandler({ auth: auth as never })).toThrow(/^@promwire\/core: auth/);
      },
    );
  });
});

describe('startMetricsServer', () => {
  test('serves the path on its own port, 404 elsewhere, and close() frees the port', async () => {
    const registry = registryWithTraffic();
    const server = await startMetricsServer({ port: 0, host: '127.0.0.1', registry });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
    const reply = await request(server.url);
    expect(parseExposition(reply.body).value('http_requests_total', { route: '/a' })).toBe(1);
    expect((await request(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
    await server.close();
    const again = await startMetricsServer({ port: server.port, host: '127.0.0.1', registry, path: '/m', auth: { bearer: 't' } });
    expect((await request(again.url)).status).toBe(401);
    expect((await request(again.url, { headers: { authorization: 'Bearer t' } })).status).toBe(200);
    await again.close();
  });

  test('bad options are refused', async () => {
    await expect(startMetricsServer({ port: -1 })).rejects.toThrow(/^@promwire\/core: port must be an integer/);
    await expect(startMetricsServer({ path: 'metrics' })).rejects.toThrow(/path must be a string starting with "\/"/);
    await expect(startMetricsServer({ prot: 9000 } as never)).rejects.toThrow(/^@promwire\/core: unknown option "prot"/);
    await expect(startMetricsServer({ host: 1 } as never)).rejects.toThrow(/^@promwire\/core: host must be a string/);
  });

  test.each<[string, Record<string, unknown>, RegExp]>([
    ['prefix', { port: 0, prefix: 'myapp_' }, /^@promwire\/core: "prefix" is an option of the HTTP recorder .*not of startMetricsServer; startMetricsServer accepts port, host, path, registry, client, auth, log$/],
    ['labels', { port: 0, labels: { tenant: 'a' } }, /^@promwire\/core: "labels" is an option of the HTTP recorder/],
    ['durationBuckets', { durationBuckets: [1] }, /^@promwire\/core: "durationBuckets" is an option of the HTTP recorder/],
    ['an adapter option', { getRoute: () => '/' }, /^@promwire\/core: unknown option "getRoute" \(startMetricsServer accepts port, host, path, registry, client, auth, log\)$/],
    ['path: false', { path: false }, /^@promwire\/core: path must be a string starting with "\/", got boolean false$/],
    ['not an object', 'fast' as never, /^@promwire\/core: options must be an object/],
  ])('recorder and unknown options are refused with a TypeError before listening: %s', async (_, options, message) => {
    const started = startMetricsServer(options as never);
    await expect(started).rejects.toThrow(TypeError);
    await expect(started).rejects.toThrow(message);
  });
});

describe('createMetricsEndpoint options', () => {
  test.each<[string, Record<string, unknown>, RegExp]>([
    ['prefix', { prefix: 'myapp_' }, /^@promwire\/core: "prefix" is an option of the HTTP recorder .*not of createMetricsEndpoint; createMetricsEndpoint accepts registry, client, auth, pkg$/],
    ['path', { path: '/metrics' }, /^@promwire\/core: unknown option "path" \(createMetricsEndpoint accepts registry, client, auth, pkg\)$/],
    ['with the calling package', { pkg: '@promwire/koa', labels: {} }, /^@promwire\/koa: "labels" is an option of the HTTP recorder/],
  ])('%s is refused', (_, options, message) => {
    expect(() => createMetricsEndpoint(options as never)).toThrow(TypeError);
    expect(() => metricsHandler(options as never)).toThrow(message);
  });

  test('its own options are accepted', () => {
    expect(() => createMetricsEndpoint({ registry: new Registry(), auth: { bearer: 't' }, pkg: '@promwire/koa' })).not.toThrow();
    expect(() => createMetricsEndpoint()).not.toThrow();
  });
});
