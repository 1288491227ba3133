import { createServer } from 'node:http';
import type { Express, NextFunction, Request, Response } from 'express';
import { Registry } from 'prom-client';
import { metrics, type ExpressMetricsOptions } from '../src';
import { abortedRequest, eventually, listen, request, requestAbortedWhen, scrape, type Listening } from '../../../test/helpers/http';

type ExpressModule = typeof import('express');

const versions: [string, ExpressModule][] = [
  ['express 5', require('express') as ExpressModule],
  ['express 4', require('express4') as ExpressModule],
];

describe.each(versions)('%s', (_, express) => {
  let server: Listening | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(build: (app: Express) => void, options: ExpressMetricsOptions = {}) {
    const registry = new Registry();
    const app = express();
    app.use(metrics({ registry, defaultMetrics: false, ...options }));
    build(app);
    server = await listen(createServer(app));
    return server.url;
  }

  describe('route templates', () => {
    test.each<[string, (app: Express) => void, string, string]>([
      [
        'nested routers with mount prefixes',
        (app) => {
          const r1 = express.Router();
          const r2 = express.Router();
          r2.get('/users/:id', (req, res) => void res.send('u'));
          r1.use('/v1', r2);
          app.use('/api', r1);
        },
        '/api/v1/users/42',
        '/api/v1/users/:id',
      ],
      ['app.route()', (app) => void app.route('/books/:isbn').get((req, res) => void res.send('b')), '/books/978', '/books/:isbn'],
      ['an array path', (app) => void app.get(['/a', '/b'], (req, res) => void res.send('ab')), '/b', '/a,/b'],
      ['a RegExp path', (app) => void app.get(/^\/files\/.*\.txt$/, (req, res) => void res.send('f')), '/files/x.txt', String(/^\/files\/.*\.txt$/)],
      [
        'a handler that calls next() to a later route',
        (app) => {
          app.get('/items/:id', (req, res, next) => next());
          app.get('/items/:slug', (req, res) => void res.send('later'));
        },
        '/items/7',
        '/items/:slug',
      ],
      [
        'a router mounted at the root',
        (app) => {
          const r = express.Router();
          r.get('/health', (req, res) => void res.send('ok'));
          app.use(r);
        },
        '/health',
        '/health',
      ],
      ['no matching route', (app) => void app.get('/known', (req, res) => void res.send('k')), '/unknown/path/123', '__unmatched__'],
    ])('%s', async (__, build, path, route) => {
      const url = await start(build);
      const reply = await request(`${url}${path}`);
      await eventually(async () => (await scrape(url)).sum('http_requests_total') === 1);
      const exp = await scrape(url);
      expect(exp.value('http_requests_total', { method: 'GET', route, status_code: String(reply.status) })).toBe(1);
      expect(exp.find('http_requests_total')).toHaveLength(1);
    });

    test('distinct unknown paths share one __unmatched__ series', async () => {
      const url = await start(() => undefined);
      for (let i = 0; i < 50; i++) await request(`${url}/random/${i}/${Math.random()}`);
      await eventually(async () => (await scrape(url)).sum('http_requests_total') === 50);
      const exp = await scrape(url);
      expect(exp.find('http_requests_total')).toHaveLength(1);
      expect(exp.value('http_requests_total', { route: '__unmatched__', status_code: '404' })).toBe(50);
    });
  });

  describe('errors and aborts', () => {
    test('a handler that throws is counted with the status the error handler sent', async () => {
      const url = await start((app) => {
        app.get('/boom', () => {
          throw new Error('boom');
        });
        app.get('/teapot', (req, res, next) => next(Object.assign(new Error('tea'), { status: 418 })));
        app.use((err: Error & { status?: number }, req: Request, res: Response, _next: NextFunction) => {
          res.status(err.status ?? 500).send(err.message);
        });
      });
      expect((await request(`${url}/boom`)).status).toBe(500);
      expect((await request(`${url}/teapot`)).status).toBe(418);
      await eventually(async () => (await scrape(url)).sum('http_requests_total') === 2);
      const exp = await scrape(url);
      expect(exp.value('http_requests_total', { route: '/boom', status_code: '500' })).toBe(1);
      expect(exp.value('http_requests_total', { route: '/teapot', status_code: '418' })).toBe(1);
    });

    test('a client that disconnects before the response is counted once as 499, in-flight back to 0', async () => {
      let arrived!: () => void;
      const reached = new Promise<void>((resolve) => (arrived = resolve));
      let answered!: () => void;
      const lateAnswer = new Promise<void>((resolve) => (answered = resolve));
      const url = await start((app) => {
        // Answers only once its client has gone: the late answer must not be counted again.
        app.get('/slow', (req, res) => {
          res.once('close', () => {
            res.send('late');
            setImmediate(answered);
          });
          arrived();
        });
        app.get('/next', (req, res) => void res.send('next'));
      });
      await requestAbortedWhen(`${url}/slow`, reached);
      await eventually(async () => (await scrape(url)).sum('http_requests_total') === 1);
      let exp = await scrape(url);
      expect(exp.value('http_requests_total', { route: '/slow', status_code: '499' })).toBe(1);
      expect(exp.value('http_requests_in_flight', { method: 'GET' })).toBe(0);

      // A request after the late answer, once recorded, proves the late answer was handled.
      await lateAnswer;
      await request(`${url}/next`);
      await eventually(async () => (await scrape(url)).value('http_requests_total', { route: '/next' }) === 1);
      exp = await scrape(url);
      expect(exp.find('http_requests_total', { route: '/slow' })).toEqual([
        expect.objectContaining({ labels: { method: 'GET', route: '/slow', status_code: '499' }, value: 1 }),
      ]);
      expect(exp.sum('http_requests_total')).toBe(2);
      expect(exp.sum('http_request_duration_seconds_count')).toBe(2);
      expect(exp.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
    });

    test('a client that disconnects mid-stream is counted once as 499', async () => {
      const url = await start((app) => {
        app.get('/stream', (req, res) => {
          res.write('first chunk\n');
          const timer = setInterval(() => res.write('more\n'), 20);
          res.on('close', () => clearInterval(timer));
        });
      });
      await abortedRequest(`${url}/stream`, 0, true);
      await eventually(async () => (await scrape(url)).sum('http_requests_total') === 1);
      const exp = await scrape(url);
      expect(exp.value('http_requests_total', { route: '/stream', status_code: '499' })).toBe(1);
      expect(exp.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
    });
  });

  describe('the /metrics endpoint', () => {
    test('is served by the middleware, not recorded, and negotiates OpenMetrics and gzip', async () => {
      const url = await start((app) => void app.get('/a', (req, res) => void res.send('a')));
      await request(`${url}/a`, { headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } });
      await eventually(async () => (await scrape(url)).sum('http_requests_total') === 1);
      const om = await request(`${url}/metrics`, { headers: { accept: 'application/openmetrics-text', 'accept-encoding': 'gzip' } });
      expect(om.headers['content-type']).toContain('application/openmetrics-text');
      expect(om.headers['content-encoding']).toBe('gzip');
      expect(om.body).toMatch(/http_requests_total\{method="GET",route="\/a",status_code="200"\} 1 # \{trace_id="4bf92f3577b34da6a3ce929d0e0e4736"\} 1 /);
      expect((await scrape(url)).find('http_requests_total', { route: '/metrics' })).toHaveLength(0);
    });

    test('path option, query strings, and path: false', async () => {
      const url = await start((app) => void app.get('/metrics', (req, res) => void res.send('app route')), { path: '/internal/metrics' });
      expect((await request(`${url}/internal/metrics?x=1`)).body).toContain('# TYPE http_requests_total counter');
      expect((await request(`${url}/metrics`)).body).toBe('app route');
      await server!.close();
      const url2 = await start(() => undefined, { path: false });
      expect((await request(`${url2}/metrics`)).status).toBe(404);
    });

    test('auth: 401 with a challenge, 200 with the token', async () => {
      const url = await start(() => undefined, { auth: { bearer: 'tok' } });
      const denied = await request(`${url}/metrics`);
      expect(denied.status).toBe(401);
      expect(denied.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect((await request(`${url}/metrics`, { headers: { authorization: 'Bearer tok' } })).status).toBe(200);
    });
  });

  test('custom labels, sizes and getRoute', async () => {
    const url = await start(
      (app) => {
        app.get('/data', (req, res) => {
          res.write('x'.repeat(1000));
          res.end('y'.repeat(24));
        });
        app.post('/echo', express.json(), (req, res) => void res.json(req.body));
      },
      {
        requestSize: true,
        responseSize: true,
        labels: { tenant: (req) => String(req.headers['x-tenant'] ?? 'none'), broken: () => { throw new Error('x'); } },
        getRoute: (req) => (req.route ? `custom:${req.route.path}` : undefined),
      },
    );
    await request(`${url}/data`, { headers: { 'x-tenant': 'acme' } });
    const body = JSON.stringify({ hello: 'world' });
    await request(`${url}/echo`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'content-length': String(body.length) } });
    await eventually(async () => (await scrape(url)).sum('http_requests_total') === 2);
    const exp = await scrape(url);
    expect(exp.value('http_requests_total', { route: 'custom:/data', tenant: 'acme', broken: '' })).toBe(1);
    expect(exp.value('http_response_size_bytes_sum', { route: 'custom:/data' })).toBe(1024);
    expect(exp.value('http_request_size_bytes_sum', { route: 'custom:/echo' })).toBe(body.length);
    expect(exp.value('http_response_size_bytes_sum', { route: 'custom:/echo' })).toBe(body.length);
  });

  test('two apps on one registry share the series; on two registries they do not', async () => {
    const registry = new Registry();
    const make = () => {
      const app = express();
      app.use(metrics({ registry, defaultMetrics: false }));
      app.get('/x', (req, res) => void res.send('x'));
      return app;
    };
    const a = await listen(createServer(make()));
    const b = await listen(createServer(make()));
    await request(`${a.url}/x`);
    await request(`${b.url}/x`);
    await eventually(async () => (await scrape(a.url)).sum('http_requests_total') === 2);
    expect((await scrape(b.url)).value('http_requests_total', { route: '/x' })).toBe(2);
    await a.close();
    await b.close();
  });

  test('bad options throw one TypeError prefixed with the package name', () => {
    expect(() => metrics({ path: 'metrics' })).toThrow(/^@promwire\/express: path must be a string starting with "\/"/);
    expect(() => metrics({ getRoute: 'x' } as never)).toThrow(/^@promwire\/express: getRoute must be a function/);
    expect(() => metrics({ registry: new Registry(), bogus: 1 } as never)).toThrow(/^@promwire\/express: unknown option "bogus"/);
  });
});

test('express 5: an async handler that rejects is counted with 500', async () => {
  const express = require('express') as ExpressModule;
  const registry = new Registry();
  const app = express();
  app.use(metrics({ registry, defaultMetrics: false }));
  app.get('/async', async () => {
    await new Promise((r) => setTimeout(r, 5));
    throw new Error('rejected');
  });
  const server = await listen(createServer(app));
  expect((await request(`${server.url}/async`)).status).toBe(500);
  await eventually(async () => (await scrape(server.url)).sum('http_requests_total') === 1);
  expect((await scrape(server.url)).value('http_requests_total', { route: '/async', status_code: '500' })).toBe(1);
  await server.close();
});
