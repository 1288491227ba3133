/** Options are checked when the plugin is registered; collectors are shared per registry. */
import { Registry } from 'prom-client';
import { metrics, type FastifyMetricsOptions } from '@promwire/fastify';
import { VERSIONS, appWith, scrape } from './fastify-versions';

describe.each(VERSIONS)('@promwire/fastify on %s: options', (_name, fastify) => {
  it.each<[string, unknown, RegExp]>([
    ['an unknown option', { registy: new Registry() }, /unknown option "registy"/],
    ['a path without a leading slash', { path: 'metrics' }, /path must be a string starting with "\/"/],
    ['getRoute that is not a function', { getRoute: '/x' }, /getRoute must be a function/],
    ['an invalid label name', { labels: { 'bad-name': 'x' } }, /label name "bad-name"/],
    ['a label clashing with a built-in one', { labels: { route: 'x' } }, /clashes with a built-in label/],
    ['exclude that is not an array', { exclude: '/health' }, /exclude must be an array/],
    ['a registry that is not one', { registry: {} }, /registry must be a prom-client Registry/],
    ['a prefix making invalid metric names', { prefix: '/api' }, /prefix "\/api"/],
    ['durationBuckets not increasing', { durationBuckets: [1, 0.5] }, /durationBuckets must be strictly increasing/],
    ['a bad auth option', { auth: { bearer: 42 } }, /auth/],
  ])('makes register reject on %s, with the package prefix', async (_case, options, message) => {
    const app = fastify();
    const registering = app.register(metrics, { defaultMetrics: false, ...(options as FastifyMetricsOptions) });
    await expect(registering).rejects.toThrow(TypeError);
    await expect(app.ready()).rejects.toThrow(/^@promwire\/fastify: /);
    await expect(app.ready()).rejects.toThrow(message);
  });

  it('rejects a second registration on the same Fastify instance', async () => {
    const { app } = await appWith(fastify);
    await expect(app.register(metrics, { registry: new Registry(), defaultMetrics: false })).rejects.toThrow(
      /^@promwire\/fastify: is already registered on this Fastify instance/,
    );
  });

  it('fails the registration of a route whose config.metrics is not a boolean', async () => {
    const { app } = await appWith(fastify);
    expect(() => app.get('/x', { config: { metrics: 'no' as unknown as boolean } }, async () => 'x')).toThrow(
      /^@promwire\/fastify: route GET \/x: config\.metrics must be a boolean/,
    );
  });

  it('reuses the collectors when two apps register with the same options on one registry', async () => {
    const registry = new Registry();
    const one = await appWith(fastify, { registry });
    const two = await appWith(fastify, { registry });
    one.app.get('/shared', async () => 'one');
    two.app.get('/shared', async () => 'two');
    await one.app.inject('/shared');
    await two.app.inject('/shared');
    await two.app.inject('/shared');
    const m = await scrape(one.app);
    expect(m.value('http_requests_total', { route: '/shared' })).toBe(3);
    expect(m.find('http_requests_total')).toHaveLength(1);
  });

  it('names the differing option when a second app on one registry is configured differently', async () => {
    const registry = new Registry();
    await appWith(fastify, { registry });
    const app = fastify();
    await expect(app.register(metrics, { registry, defaultMetrics: false, durationBuckets: [0.1, 1] })).rejects.toThrow(
      /^@promwire\/fastify: metric "http_request_duration_seconds" .*`durationBuckets`/,
    );
  });

  it('applies prefix, naming and groupStatusCodes', async () => {
    const { app } = await appWith(fastify, { prefix: 'shop_', groupStatusCodes: true });
    app.get('/a', async () => 'a');
    await app.inject('/a');
    await app.inject('/none');
    const m = await scrape(app);
    expect(m.value('shop_http_requests_total', { route: '/a', status_code: '2xx' })).toBe(1);
    expect(m.value('shop_http_requests_total', { route: '__unmatched__', status_code: '4xx' })).toBe(1);

    const otel = await appWith(fastify, { naming: 'otel' });
    otel.app.get('/b', async () => 'b');
    await otel.app.inject('/b');
    expect((await scrape(otel.app)).value('http_server_request_duration_seconds_count', {
      http_request_method: 'GET', http_route: '/b', http_response_status_code: '200',
    })).toBe(1);
  });

  it('registers the default process metrics unless defaultMetrics is false', async () => {
    const registry = new Registry();
    const app = fastify();
    await app.register(metrics, { registry });
    expect((await scrape(app)).find('process_cpu_user_seconds_total')).toHaveLength(1);
    const bare = await appWith(fastify);
    expect((await scrape(bare.app)).find('process_cpu_user_seconds_total')).toHaveLength(0);
  });
});
