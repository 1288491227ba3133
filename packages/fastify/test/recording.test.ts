import { Registry } from 'prom-client';
import { metrics } from '@promwire/fastify';
import { parseExposition } from '../../../test/helpers/exposition';
import { VERSIONS, appWith, routes, scrape } from './fastify-versions';

describe.each(VERSIONS)('@promwire/fastify on %s: recording', (_name, fastify) => {
  it('labels a route of a plugin with prefix /api inside one with prefix /v1 as /api/v1/users/:id', async () => {
    const { app } = await appWith(fastify);
    await app.register(async (api) => {
      await api.register(async (v1) => {
        v1.get('/users/:id', async (request) => ({ id: (request.params as { id: string }).id }));
        v1.post('/users', async (_request, reply) => reply.code(201).send({ created: true }));
      }, { prefix: '/v1' });
    }, { prefix: '/api' });

    for (const id of ['1', '2', '3']) expect((await app.inject(`/api/v1/users/${id}`)).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/api/v1/users', payload: { name: 'x' } })).statusCode).toBe(201);

    const m = await scrape(app);
    expect(m.value('http_requests_total', { method: 'GET', route: '/api/v1/users/:id', status_code: '200' })).toBe(3);
    expect(m.value('http_requests_total', { method: 'POST', route: '/api/v1/users', status_code: '201' })).toBe(1);
    expect(m.value('http_request_duration_seconds_count', { method: 'GET', route: '/api/v1/users/:id', status_code: '200' })).toBe(3);
    expect(routes(m)).toEqual(['/api/v1/users', '/api/v1/users/:id']);
    expect(m.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
  });

  it.each([
    ['/', '/', '/'],
    ['/files/*', '/files/a/b.txt', '/files/*'],
    ['/items/:id/parts/:part', '/items/7/parts/9', '/items/:id/parts/:part'],
    ['/reports/:year(^\\d{4})', '/reports/2024', '/reports/:year(^\\d{4})'],
  ])('labels route %s (requested as %s) with its template', async (template, url, label) => {
    const { app } = await appWith(fastify);
    app.get(template, async () => 'ok');
    expect((await app.inject(url)).statusCode).toBe(200);
    expect(routes(await scrape(app))).toEqual([label]);
  });

  it('labels a prefixed plugin root the same with and without the trailing slash', async () => {
    const { app } = await appWith(fastify);
    await app.register(async (api) => {
      api.get('/', async () => 'index');
    }, { prefix: '/api' });
    expect((await app.inject('/api')).statusCode).toBe(200);
    expect((await app.inject('/api/')).statusCode).toBe(200);
    const m = await scrape(app);
    expect(routes(m)).toEqual(['/api']);
    expect(m.value('http_requests_total', { route: '/api' })).toBe(2);
  });

  it('labels the automatic HEAD twin of a GET route with the same template', async () => {
    const { app } = await appWith(fastify);
    app.get('/things/:id', async () => 'thing');
    expect((await app.inject({ method: 'HEAD', url: '/things/1' })).statusCode).toBe(200);
    expect((await scrape(app)).value('http_requests_total', { method: 'HEAD', route: '/things/:id', status_code: '200' })).toBe(1);
  });

  it('records a request Fastify answers from its not-found handler as __unmatched__', async () => {
    const { app } = await appWith(fastify);
    app.get('/known', async () => 'ok');
    expect((await app.inject('/unknown/path')).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: '/known' })).statusCode).toBe(404);
    const m = await scrape(app);
    expect(m.value('http_requests_total', { method: 'GET', route: '__unmatched__', status_code: '404' })).toBe(1);
    expect(m.value('http_requests_total', { method: 'DELETE', route: '__unmatched__', status_code: '404' })).toBe(1);
    expect(routes(m)).toEqual(['__unmatched__']);
  });

  it('records a custom not-found handler as __unmatched__ with the status it sends', async () => {
    const { app } = await appWith(fastify);
    app.setNotFoundHandler(async (_request, reply) => reply.code(410).send('gone'));
    expect((await app.inject('/nothing-here')).statusCode).toBe(410);
    expect((await scrape(app)).value('http_requests_total', { route: '__unmatched__', status_code: '410' })).toBe(1);
  });

  it('leaves 10,000 requests to random unknown paths in one __unmatched__ series per method and status', async () => {
    const { app } = await appWith(fastify);
    app.get('/known', async () => 'ok');
    const methods = ['GET', 'POST'] as const;
    for (let batch = 0; batch < 100; batch++) {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          app.inject({ method: methods[i % 2], url: `/${Math.random().toString(36).slice(2)}/${batch}-${i}?q=${i}` }),
        ),
      );
    }
    const m = await scrape(app);
    const series = m.find('http_requests_total');
    expect(series.map((s) => s.labels)).toEqual(
      expect.arrayContaining([
        { method: 'GET', route: '__unmatched__', status_code: '404' },
        { method: 'POST', route: '__unmatched__', status_code: '404' },
      ]),
    );
    expect(series).toHaveLength(2);
    expect(m.sum('http_requests_total')).toBe(10_000);
    expect(m.find('http_request_duration_seconds_count')).toHaveLength(2);
    expect(m.sum('promwire_label_overflow_total')).toBe(0);
  });

  it('does not record a route with config: { metrics: false }, nor count it in flight', async () => {
    const { app } = await appWith(fastify);
    const inFlightGet = async (): Promise<string> =>
      String(parseExposition((await app.inject('/metrics')).body).value('http_requests_in_flight', { method: 'GET' }));
    app.get('/recorded', inFlightGet);
    app.get('/private', { config: { metrics: false } }, inFlightGet);
    await app.register(async (child) => {
      child.get('/hidden', { config: { metrics: false } }, async () => 'hidden');
    }, { prefix: '/child' });

    expect((await app.inject('/recorded')).body).toBe('1');
    expect((await app.inject('/private')).body).toBe('0');
    expect((await app.inject('/child/hidden')).statusCode).toBe(200);
    const m = await scrape(app);
    expect(routes(m)).toEqual(['/recorded']);
    expect(m.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
  });

  it.each([
    ['a handler that throws', async (): Promise<never> => { throw new Error('boom'); }, 500],
    ['a handler that rejects later', (): Promise<never> => new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 5)), 500],
    ['an error with a statusCode', async (): Promise<never> => { throw Object.assign(new Error('teapot'), { statusCode: 418 }); }, 418],
  ])('records %s with the status Fastify sent', async (_case, handler, status) => {
    const { app } = await appWith(fastify);
    app.get('/fails', handler);
    expect((await app.inject('/fails')).statusCode).toBe(status);
    const m = await scrape(app);
    expect(m.value('http_requests_total', { route: '/fails', status_code: String(status) })).toBe(1);
    expect(m.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
  });

  it('records the status sent by a custom error handler', async () => {
    const { app } = await appWith(fastify);
    app.setErrorHandler(async (_error, _request, reply) => reply.code(503).send('unavailable'));
    app.get('/fails', async () => {
      throw new Error('boom');
    });
    expect((await app.inject('/fails')).statusCode).toBe(503);
    expect((await scrape(app)).value('http_requests_total', { route: '/fails', status_code: '503' })).toBe(1);
  });

  it('records with its route a request answered early by an onRequest hook registered after the plugin', async () => {
    const { app } = await appWith(fastify);
    app.addHook('onRequest', async (request, reply) => {
      if (request.headers['x-limited'] !== undefined) await reply.code(429).send('slow down');
    });
    app.get('/limited/:id', async () => 'ok');
    app.get('/quiet', { config: { metrics: false } }, async () => 'ok');
    expect((await app.inject({ url: '/limited/1', headers: { 'x-limited': '1' } })).statusCode).toBe(429);
    expect((await app.inject({ url: '/quiet', headers: { 'x-limited': '1' } })).statusCode).toBe(429);
    expect((await app.inject({ url: '/nowhere', headers: { 'x-limited': '1' } })).statusCode).toBe(429);
    expect((await app.inject('/limited/2')).statusCode).toBe(200);
    const m = await scrape(app);
    expect(m.value('http_requests_total', { route: '/limited/:id', status_code: '429' })).toBe(1);
    expect(m.value('http_requests_total', { route: '/limited/:id', status_code: '200' })).toBe(1);
    expect(m.value('http_requests_total', { route: '__unmatched__', status_code: '429' })).toBe(1);
    expect(routes(m)).toEqual(['/limited/:id', '__unmatched__']);
  });

  it('labels a route from its config, with no route-level hook, and leaves the config object the app wrote alone', async () => {
    const { app } = await appWith(fastify);
    const config = { name: 'user' };
    const seen: unknown[] = [];
    app.addHook('onRoute', (route) => void seen.push(route.onRequest));
    app.get('/users/:id', { config }, async (request) => ({ name: (request.routeOptions.config as { name?: string }).name }));
    expect((await app.inject('/users/1')).json()).toEqual({ name: 'user' });
    expect(Object.getOwnPropertySymbols(config)).toEqual([]);
    expect(Object.keys(config)).toEqual(['name']);
    expect(seen).toEqual([undefined, undefined]); // GET and its HEAD twin
    expect((await scrape(app)).value('http_requests_total', { method: 'GET', route: '/users/:id', status_code: '200' })).toBe(1);
  });

  it('labels a root route registered before the plugin with its template', async () => {
    const registry = new Registry();
    const app = fastify();
    app.get('/early/:id', async () => 'ok');
    await app.register(metrics, { registry, defaultMetrics: false });
    expect((await app.inject('/early/5')).statusCode).toBe(200);
    expect(routes(await scrape(app))).toEqual(['/early/:id']);
  });

  it('uses getRoute for the route label; a throw or undefined gives __unmatched__', async () => {
    const { app } = await appWith(fastify, {
      getRoute: (request) => {
        if (request.url.startsWith('/throws')) throw new Error('no label');
        return request.url.startsWith('/users') ? 'users' : undefined;
      },
    });
    app.get('/users/:id', async () => 'ok');
    app.get('/throws', async () => 'ok');
    app.get('/other', async () => 'ok');
    app.get('/silent', { config: { metrics: false } }, async () => 'ok');
    for (const url of ['/users/1', '/users/2', '/throws', '/other', '/silent']) expect((await app.inject(url)).statusCode).toBe(200);
    const m = await scrape(app);
    expect(m.value('http_requests_total', { route: 'users' })).toBe(2);
    expect(m.value('http_requests_total', { route: '__unmatched__' })).toBe(2);
    expect(routes(m)).toEqual(['__unmatched__', 'users']);
  });

  it('adds custom labels from Fastify request and reply; a throwing label gives ""', async () => {
    const { app } = await appWith(fastify, {
      labels: {
        tenant: (request) => String(request.headers['x-tenant'] ?? 'none'),
        cache: (_request, reply) => String(reply.getHeader('x-cache') ?? 'miss'),
        broken: () => {
          throw new Error('label failed');
        },
        service: 'users',
      },
    });
    app.get('/t', async (_request, reply) => reply.header('x-cache', 'hit').send('ok'));
    expect((await app.inject({ url: '/t', headers: { 'x-tenant': 'acme' } })).statusCode).toBe(200);
    expect((await scrape(app)).value('http_requests_total', {
      route: '/t', tenant: 'acme', cache: 'hit', broken: '', service: 'users', status_code: '200',
    })).toBe(1);
  });

  it('does not record requests skip answers true for, and excludes templates in exclude', async () => {
    const { app } = await appWith(fastify, {
      skip: (request) => request.headers['user-agent'] === 'probe',
      exclude: ['/health', /^\/internal\//],
    });
    app.get('/health', async () => 'ok');
    app.get('/internal/:x', async () => 'ok');
    app.get('/work', async () => 'ok');
    await app.inject('/health');
    await app.inject('/internal/a');
    await app.inject({ url: '/work', headers: { 'user-agent': 'probe' } });
    await app.inject('/work');
    const m = await scrape(app);
    expect(routes(m)).toEqual(['/work']);
    expect(m.value('http_requests_total', { route: '/work' })).toBe(1);
  });

  it('records request sizes from Content-Length with requestSize', async () => {
    const { app } = await appWith(fastify, { requestSize: true });
    app.post('/upload', async () => 'ok');
    await app.inject({ method: 'POST', url: '/upload', payload: { data: 'y'.repeat(200) } });
    expect((await scrape(app)).value('http_request_size_bytes_sum', { route: '/upload' })).toBe(Buffer.byteLength(JSON.stringify({ data: 'y'.repeat(200) })));
  });

  it('keeps two apps apart when each has its own registry', async () => {
    const one = await appWith(fastify);
    const two = await appWith(fastify);
    one.app.get('/one', async () => 'ok');
    two.app.get('/two', async () => 'ok');
    await one.app.inject('/one');
    await two.app.inject('/two');
    expect(routes(await scrape(one.app))).toEqual(['/one']);
    expect(routes(await scrape(two.app))).toEqual(['/two']);
  });
});
