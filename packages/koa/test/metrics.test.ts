import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import type Koa from 'koa';
import { Gauge, Registry } from 'prom-client';
import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from '@promwire/core';
import { metrics, type KoaMetricsOptions } from '../src';
import { parseExposition } from '../../../test/helpers/exposition';
import { eventually, request, requestAbortedWhen, scrape } from '../../../test/helpers/http';
import { KOA_VERSIONS, ROUTERS, TestServer } from './support';

const { Router } = ROUTERS[0]![1];

/** A body that pushes `chunk` every `intervalMs`, `count` times (forever when undefined). */
function slowStream(chunk: string, intervalMs: number, count?: number): Readable {
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  return new Readable({
    read() {
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        if (count !== undefined && sent >= count) {
          this.push(null);
          return;
        }
        sent++;
        this.push(chunk);
      }, intervalMs);
    },
    destroy(error, callback) {
      clearTimeout(timer);
      callback(error);
    },
  });
}

describe.each(KOA_VERSIONS)('%s', (_, KoaVersion) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(build: (app: Koa) => void, options: KoaMetricsOptions = {}, upstream: Koa.Middleware[] = []) {
    server = new TestServer(KoaVersion, options, upstream);
    build(server.app);
    return server.start();
  }

  async function settled(url: string, total: number) {
    await eventually(async () => (await scrape(url)).sum('http_requests_total') === total);
    return scrape(url);
  }

  /** Sends `method path` and waits until it is recorded: whatever came before it was handled too. */
  async function recordedAfter(url: string, path: string, method = 'GET') {
    expect((await request(`${url}${path}`, { method })).status).toBe(200);
    await eventually(async () => (await scrape(url)).value('http_requests_total', { route: path, method }) === 1);
    return scrape(url);
  }

  describe('route templates', () => {
    test('nested routers with prefixes give the full template', async () => {
      const url = await start((app) => {
        const users = new Router();
        users.get('/:id', (ctx) => void (ctx.body = { id: ctx.params.id }));
        const v1 = new Router();
        v1.use('/users', users.routes());
        const api = new Router({ prefix: '/api' });
        api.use('/v1', v1.routes());
        app.use(api.routes());
      });
      expect((await request(`${url}/api/v1/users/42`)).status).toBe(200);
      await request(`${url}/api/v1/users/43`);
      const exp = await settled(url, 2);
      expect(exp.value('http_requests_total', { method: 'GET', route: '/api/v1/users/:id', status_code: '200' })).toBe(2);
      expect(exp.find('http_requests_total')).toHaveLength(1);
    });

    test('a 404 is __unmatched__, and distinct unknown paths share one series', async () => {
      const url = await start((app) => {
        const router = new Router();
        router.get('/known', (ctx) => void (ctx.body = 'k'));
        app.use(router.routes());
      });
      for (let i = 0; i < 20; i++) expect((await request(`${url}/unknown/${i}/${Math.random()}`)).status).toBe(404);
      const exp = await settled(url, 20);
      expect(exp.find('http_requests_total')).toHaveLength(1);
      expect(exp.value('http_requests_total', { method: 'GET', route: '__unmatched__', status_code: '404' })).toBe(20);
    });
  });

  describe('errors', () => {
    test('a thrown error is counted as 500 and reaches Koa unchanged', async () => {
      const thrown = new Error('boom');
      const url = await start((app) => {
        const router = new Router();
        router.get('/boom/:id', () => {
          throw thrown;
        });
        app.use(router.routes());
      });
      const reply = await request(`${url}/boom/1`);
      expect(reply.status).toBe(500);
      expect(reply.body).toBe('Internal Server Error');
      const exp = await settled(url, 1);
      expect(exp.value('http_requests_total', { method: 'GET', route: '/boom/:id', status_code: '500' })).toBe(1);
      expect(exp.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
      expect(server!.errors).toHaveLength(1);
      expect(server!.errors[0]).toBe(thrown);
    });

    const remapTo400: Koa.Middleware = async (ctx, next) => {
      try {
        await next();
      } catch {
        ctx.status = 400;
        ctx.body = 'remapped';
      }
    };
    test.each<[string, () => unknown, number, Koa.Middleware[]]>([
      ['err.status', () => Object.assign(new Error('tea'), { status: 418 }), 418, []],
      ['err.statusCode', () => Object.assign(new Error('busy'), { statusCode: 503 }), 503, []],
      ['an invalid err.status', () => Object.assign(new Error('odd'), { status: 99 }), 500, []],
      ['a string err.status', () => Object.assign(new Error('odd'), { status: '404' }), 500, []],
      ['a non-Error value', () => 'just a string', 500, []],
      ['an error an upstream handler turns into 400', () => new Error('bad input'), 400, [remapTo400]],
    ])('%s is counted with the status the client received', async (__, error, status, upstream) => {
      const url = await start((app) => {
        const router = new Router();
        router.get('/fail', () => {
          throw error();
        });
        app.use(router.routes());
      }, {}, upstream);
      expect((await request(`${url}/fail`)).status).toBe(status);
      const exp = await settled(url, 1);
      expect(exp.value('http_requests_total', { route: '/fail', status_code: String(status) })).toBe(1);
    });

    test('ctx.throw() of an HttpError keeps its status and the route', async () => {
      const url = await start((app) => {
        const router = new Router();
        router.get('/items/:id', (ctx) => ctx.throw(404, 'no such item'));
        app.use(router.routes());
      });
      const reply = await request(`${url}/items/9`);
      expect(reply.status).toBe(404);
      expect(reply.body).toBe('no such item');
      const exp = await settled(url, 1);
      expect(exp.value('http_requests_total', { route: '/items/:id', status_code: '404' })).toBe(1);
    });
  });

  describe('aborts and streamed bodies', () => {
    test('a client that disconnects before the response is counted once as 499, in-flight back to 0', async () => {
      let arrived!: () => void;
      const reached = new Promise<void>((resolve) => (arrived = resolve));
      let handlerDone = false;
      const url = await start((app) => {
        const router = new Router();
        // Answers only once its client has gone: the late answer must not be counted again.
        router.get('/slow', async (ctx) => {
          const closed = new Promise((resolve) => ctx.res.once('close', resolve));
          arrived();
          await closed;
          ctx.body = 'late';
          handlerDone = true;
        });
        router.get('/next', (ctx) => void (ctx.body = 'next'));
        app.use(router.routes());
      });
      await requestAbortedWhen(`${url}/slow`, reached);
      const exp = await settled(url, 1);
      expect(exp.value('http_requests_total', { route: '/slow', status_code: '499' })).toBe(1);
      expect(exp.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
      await eventually(() => handlerDone);
      // A request after the late answer, once recorded, proves the late answer was handled.
      const later = await recordedAfter(url, '/next');
      expect(later.find('http_requests_total', { route: '/slow' })).toEqual([
        expect.objectContaining({ labels: { method: 'GET', route: '/slow', status_code: '499' }, value: 1 }),
      ]);
      expect(later.sum('http_requests_total')).toBe(2);
      expect(later.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
    });

    test('an aborted streamed response is counted once as 499, in-flight back to 0', async () => {
      let body: Readable | undefined;
      const url = await start((app) => {
        const router = new Router();
        router.get('/stream/:id', (ctx) => {
          body = slowStream('tick\n', 15);
          ctx.type = 'text/plain';
          ctx.body = body;
        });
        router.post('/stream/next', (ctx) => void (ctx.body = 'next'));
        app.use(router.routes());
      });
      // The in-flight series for a method appears with its first request.
      expect((await scrape(url)).value('http_requests_in_flight', { method: 'GET' }) ?? 0).toBe(0);
      const client = httpRequest(`${url}/stream/1`, { agent: false });
      const firstByte = new Promise<void>((resolve) => {
        client.on('response', (res) => res.once('data', () => resolve()));
      });
      client.on('error', () => undefined);
      client.end();
      await firstByte;
      expect((await scrape(url)).value('http_requests_in_flight', { method: 'GET' })).toBe(1);
      client.destroy();

      const exp = await settled(url, 1);
      expect(exp.value('http_requests_total', { method: 'GET', route: '/stream/:id', status_code: '499' })).toBe(1);
      expect(exp.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
      await eventually(() => body!.destroyed);
      // A request after the body was destroyed, once recorded, proves its end was handled.
      const later = await recordedAfter(url, '/stream/next', 'POST');
      expect(later.find('http_requests_total', { route: '/stream/:id' })).toEqual([
        expect.objectContaining({ labels: { method: 'GET', route: '/stream/:id', status_code: '499' }, value: 1 }),
      ]);
      expect(later.sum('http_requests_total')).toBe(2);
      expect(later.value('http_request_duration_seconds_count', { route: '/stream/:id' })).toBe(1);
    });

    test('a streamed body is timed until written and sized by the bytes written', async () => {
      const chunk = 'x'.repeat(700);
      // From the handler (after metrics() began) to the body's end: a lower bound of the duration.
      let handled = 0;
      let streamed = 0;
      const url = await start(
        (app) => {
          const router = new Router();
          router.get('/download', (ctx) => {
            handled = performance.now();
            const body = slowStream(chunk, 40, 5);
            body.once('end', () => (streamed = (performance.now() - handled) / 1000));
            ctx.body = body;
          });
          app.use(router.routes());
        },
        { responseSize: true },
      );
      const reply = await request(`${url}/download`);
      expect(reply.status).toBe(200);
      expect(reply.headers['content-length']).toBeUndefined();
      expect(reply.body).toBe(chunk.repeat(5));
      const exp = await settled(url, 1);
      expect(exp.value('http_response_size_bytes_sum', { route: '/download', status_code: '200' })).toBe(3500);
      expect(exp.value('http_response_size_bytes_count', { route: '/download' })).toBe(1);
      expect(streamed).toBeGreaterThan(0);
      expect(exp.value('http_request_duration_seconds_sum', { route: '/download' })).toBeGreaterThanOrEqual(streamed);
    });

    test('a response written on ctx.res with ctx.respond = false is recorded with its status and bytes', async () => {
      // From the handler (after metrics() began) to `end`: a lower bound of the duration.
      let ended = 0;
      const url = await start(
        (app) => {
          const router = new Router();
          router.get('/raw', (ctx) => {
            const handled = performance.now();
            ctx.respond = false;
            ctx.res.writeHead(202, { 'content-type': 'text/plain' });
            ctx.res.write('ab');
            setTimeout(() => {
              ended = (performance.now() - handled) / 1000;
              ctx.res.end('cde');
            }, 30);
          });
          app.use(router.routes());
        },
        { responseSize: true },
      );
      const reply = await request(`${url}/raw`);
      expect(reply.status).toBe(202);
      expect(reply.body).toBe('abcde');
      const exp = await settled(url, 1);
      expect(exp.value('http_response_size_bytes_sum', { route: '/raw', status_code: '202' })).toBe(5);
      expect(ended).toBeGreaterThan(0);
      expect(exp.value('http_request_duration_seconds_sum', { route: '/raw' })).toBeGreaterThanOrEqual(ended);
    });

    test('string, JSON and empty bodies are sized by the bytes written', async () => {
      const url = await start(
        (app) => {
          const router = new Router();
          router.get('/text', (ctx) => void (ctx.body = 'héllo'));
          router.get('/json', (ctx) => void (ctx.body = { a: 1 }));
          router.get('/empty', (ctx) => void (ctx.status = 204));
          app.use(router.routes());
        },
        { responseSize: true },
      );
      await request(`${url}/text`);
      await request(`${url}/json`);
      await request(`${url}/empty`);
      const exp = await settled(url, 3);
      expect(exp.value('http_response_size_bytes_sum', { route: '/text' })).toBe(Buffer.byteLength('héllo'));
      expect(exp.value('http_response_size_bytes_sum', { route: '/json' })).toBe(Buffer.byteLength(JSON.stringify({ a: 1 })));
      expect(exp.value('http_response_size_bytes_sum', { route: '/empty', status_code: '204' })).toBe(0);
    });
  });

  describe('the /metrics endpoint', () => {
    test('a catch-all route registered after does not shadow /metrics', async () => {
      const url = await start((app) => {
        const router = new Router();
        router.get(ROUTERS[0]![1].catchAll, (ctx) => void (ctx.body = 'catch-all'));
        app.use(router.routes());
        app.use((ctx) => void (ctx.body = 'fallback middleware'));
      });
      expect((await request(`${url}/anything/else`)).body).toBe('catch-all');
      await settled(url, 1);
      const reply = await request(`${url}/metrics`);
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe(PROMETHEUS_CONTENT_TYPE);
      const exp = parseExposition(reply.body);
      expect(exp.value('http_requests_total', { route: ROUTERS[0]![1].catchAll, status_code: '200' })).toBe(1);
      expect(exp.find('http_requests_total', { route: '/metrics' })).toHaveLength(0);
    });

    test('negotiates OpenMetrics (with exemplars) and gzip, and is not recorded', async () => {
      const url = await start((app) => {
        const router = new Router();
        router.get('/a', (ctx) => void (ctx.body = 'a'));
        app.use(router.routes());
      });
      await request(`${url}/a`, { headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } });
      await settled(url, 1);
      const om = await request(`${url}/metrics`, { headers: { accept: 'application/openmetrics-text; version=1.0.0', 'accept-encoding': 'gzip' } });
      expect(om.status).toBe(200);
      expect(om.headers['content-type']).toBe(OPENMETRICS_CONTENT_TYPE);
      expect(om.headers['content-encoding']).toBe('gzip');
      expect(om.body.endsWith('# EOF\n')).toBe(true);
      const exp = parseExposition(om.body);
      const sample = exp.find('http_requests_total', { route: '/a' });
      expect(sample).toHaveLength(1);
      expect(sample[0]!.exemplar?.labels).toEqual({ trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' });
      const text = await request(`${url}/metrics?debug=1`);
      expect(text.headers['content-type']).toBe(PROMETHEUS_CONTENT_TYPE);
      expect(text.headers['content-encoding']).toBeUndefined();
      expect(text.body).not.toContain('# EOF');
      expect(parseExposition(text.body).value('http_requests_total', { route: '/a' })).toBe(1);
      expect((await scrape(url)).find('http_requests_total', { route: '/metrics' })).toHaveLength(0);
    });

    test('HEAD gets headers only, other methods 405', async () => {
      const url = await start(() => undefined);
      const head = await request(`${url}/metrics`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.body).toBe('');
      const post = await request(`${url}/metrics`, { method: 'POST' });
      expect(post.status).toBe(405);
      expect(post.headers.allow).toBe('GET, HEAD');
    });

    test('auth: 401 with a challenge, 200 with the credentials', async () => {
      const url = await start(() => undefined, { auth: { basic: { username: 'prom', password: 's3cret' } } });
      const denied = await request(`${url}/metrics`, { headers: { authorization: 'Bearer nope' } });
      expect(denied.status).toBe(401);
      expect(denied.headers['www-authenticate']).toMatch(/^Basic realm=/);
      const basic = `Basic ${Buffer.from('prom:s3cret').toString('base64')}`;
      const allowed = await request(`${url}/metrics`, { headers: { authorization: basic } });
      expect(allowed.status).toBe(200);
      expect(allowed.body).toContain('# TYPE http_requests_total counter');
      expect(parseExposition(allowed.body).find('http_requests_total')).toHaveLength(0);
    });

    test('the path option moves it; path: false leaves /metrics to the app', async () => {
      const build = (app: Koa) => {
        const router = new Router();
        router.get('/metrics', (ctx) => void (ctx.body = 'app route'));
        app.use(router.routes());
      };
      const url = await start(build, { path: '/internal/metrics' });
      expect((await request(`${url}/internal/metrics?x=1`)).body).toContain('# TYPE http_requests_total counter');
      expect((await request(`${url}/internal/metricsz`)).status).toBe(404);
      expect((await request(`${url}/metrics`)).body).toBe('app route');
      await server!.close();

      const url2 = await start(build, { path: false });
      expect((await request(`${url2}/metrics`)).body).toBe('app route');
      const registry = server!.registry;
      await eventually(async () => parseExposition(await registry.metrics()).sum('http_requests_total') === 1);
      const exp = parseExposition(await registry.metrics());
      expect(exp.value('http_requests_total', { route: '/metrics', status_code: '200' })).toBe(1);
    });

    test('a collector that throws gives 500 with its message', async () => {
      const url = await start(() => undefined);
      new Gauge({
        name: 'broken_gauge',
        help: 'throws on collect',
        registers: [server!.registry],
        collect() {
          throw new Error('collector failed');
        },
      });
      const reply = await request(`${url}/metrics`);
      expect(reply.status).toBe(500);
      expect(reply.body).toContain('collector failed');
    });
  });

  describe('options', () => {
    test('custom labels and skip receive the Koa context; a throwing label gives ""', async () => {
      const tenant: Koa.Middleware = async (ctx, next) => {
        ctx.state.tenant = ctx.get('x-tenant') || 'none';
        await next();
      };
      const url = await start(
        (app) => {
          const router = new Router();
          router.get('/data', (ctx) => void (ctx.body = 'd'));
          router.get('/health', (ctx) => void (ctx.body = 'ok'));
          app.use(router.routes());
        },
        {
          labels: {
            tenant: (ctx) => String(ctx.state.tenant),
            team: 'core',
            broken: () => {
              throw new Error('label failed');
            },
          },
          skip: (ctx) => ctx.path === '/health',
        },
        [tenant],
      );
      expect((await request(`${url}/data`, { headers: { 'x-tenant': 'acme' } })).body).toBe('d');
      await request(`${url}/data`);
      expect((await request(`${url}/health`)).body).toBe('ok');
      const exp = await settled(url, 2);
      expect(exp.value('http_requests_total', { route: '/data', tenant: 'acme', team: 'core', broken: '' })).toBe(1);
      expect(exp.value('http_requests_total', { route: '/data', tenant: 'none' })).toBe(1);
      expect(exp.find('http_requests_total', { route: '/health' })).toHaveLength(0);
    });

    test('getRoute replaces the router template; a throw counts as unmatched', async () => {
      const url = await start(
        (app) => {
          app.use((ctx) => {
            ctx.state.route = ctx.path.startsWith('/a') ? '/a/*' : undefined;
            ctx.body = 'x';
          });
        },
        {
          getRoute: (ctx) => {
            if (ctx.path === '/throw') throw new Error('no route');
            return ctx.state.route as string | undefined;
          },
        },
      );
      await request(`${url}/a/1`);
      await request(`${url}/a/2`);
      await request(`${url}/b`);
      await request(`${url}/throw`);
      const exp = await settled(url, 4);
      expect(exp.value('http_requests_total', { route: '/a/*' })).toBe(2);
      expect(exp.value('http_requests_total', { route: '__unmatched__' })).toBe(2);
    });

    test('metrics() mounted twice on one app counts each request once', async () => {
      const url = await start((app) => {
        app.use(metrics({ registry: server!.registry, defaultMetrics: false }));
        app.use((ctx) => void (ctx.body = 'x'));
      });
      await request(`${url}/x`);
      await request(`${url}/y`);
      // A POST after both, once recorded with nothing in flight, proves both GETs were handled.
      expect((await request(`${url}/z`, { method: 'POST' })).status).toBe(200);
      await eventually(async () => {
        const exp = await scrape(url);
        return exp.value('http_requests_total', { method: 'POST' }) !== undefined && exp.sum('http_requests_in_flight') === 0;
      });
      const exp = await scrape(url);
      expect(exp.sum('http_requests_total', { method: 'GET' })).toBe(2);
      expect(exp.sum('http_requests_total', { method: 'POST' })).toBe(1);
      expect(exp.sum('http_request_duration_seconds_count')).toBe(3);
    });

    test('bad options throw one TypeError prefixed with the package name', () => {
      const bad: [object | string, RegExp][] = [
        ['nope', /^@promwire\/koa: options must be an object/],
        [{ bogus: 1 }, /^@promwire\/koa: unknown option "bogus"/],
        [{ getRoute: 'x' }, /^@promwire\/koa: getRoute must be a function/],
        [{ path: 'metrics' }, /^@promwire\/koa: path must be a string starting with "\/"/],
        [{ labels: { 'bad-name': 'x' } }, /^@promwire\/koa: label name "bad-name" is not a valid/],
        [{ labels: { route: 'x' } }, /^@promwire\/koa: label name "route" clashes/],
        [{ registry: {} }, /^@promwire\/koa: registry must be a prom-client Registry/],
        [{ auth: { bearer: 5 } }, /^@promwire\/koa: auth.bearer must be a non-empty string/],
      ];
      for (const [options, message] of bad) {
        const withRegistry = typeof options === 'string' || 'registry' in options ? options : { registry: new Registry(), ...options };
        expect(() => metrics(withRegistry as KoaMetricsOptions)).toThrow(TypeError);
        expect(() => metrics(withRegistry as KoaMetricsOptions)).toThrow(message);
      }
    });
  });
});
