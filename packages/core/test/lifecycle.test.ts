/**
 * The request lifecycle on a real `http.createServer` (listen(0)): the metrics path, begin →
 * route → end with the status, discard, one count when two lifecycles see one response, 499
 * and 500, `skip` asked with the adapter's objects. Every assertion is on the parsed /metrics,
 * read after the server-side `close` that proves the request ended.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Registry } from 'prom-client';
import * as root from '../src';
import { type AdapterOptions, type AdapterSpec, METRICS_REQUEST, type RequestLifecycle, createLifecycle } from '../src/adapter';
import { renderRegistry } from '../src/exposition';
import { parseExposition, type Exposition } from '../../../test/helpers/exposition';
import { listen, type Listening, request, requestAbortedWhen, scrape } from '../../../test/helpers/http';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const PKG = 'test-adapter';
const open: Listening[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
});

/** Resolves with each response's server-side `close`, in order: the request has ended. */
function closes(server: Server): () => Promise<void> {
  const waiting: Promise<void>[] = [];
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    waiting.push(new Promise((resolve) => res.on('close', () => setImmediate(resolve))));
  });
  return () => waiting.shift()!;
}

async function serve(handler: Handler, setup?: (server: Server) => void): Promise<{ url: string; closed: () => Promise<void> }> {
  const server = createServer((req, res) => handler(req, res));
  setup?.(server);
  const closed = closes(server);
  const listening = await listen(server);
  open.push(listening);
  return { url: listening.url, closed };
}

function lifecycleOn<Req = IncomingMessage, Res = ServerResponse>(
  registry: Registry,
  options: AdapterOptions<Req, Res> = {},
  spec: AdapterSpec<Req, Res> = {},
): RequestLifecycle<Req, Res> {
  return createLifecycle<Req, Res>(PKG, { registry, defaultMetrics: false, ...options }, spec);
}

async function exposition(registry: Registry): Promise<Exposition> {
  return parseExposition(await renderRegistry(registry, false));
}

/** The example at the top of lifecycle.ts, with a router of two routes. */
const routes: Record<string, { template: string; metrics?: false; send: Handler }> = {
  '/users/7': { template: '/users/:id', send: (_req, res) => ((res.statusCode = 201), res.end('created')) },
  '/private': { template: '/private', metrics: false, send: (_req, res) => res.end('quiet') },
};
const router = {
  find: (_method: string | undefined, url: string | undefined) => routes[url ?? ''],
  handle(route: (typeof routes)[string] | undefined, req: IncomingMessage, res: ServerResponse): void {
    if (route === undefined) {
      res.statusCode = 404;
      res.end();
    } else {
      route.send(req, res);
    }
  },
};

describe('the request lifecycle on a Node server', () => {
  test('the example: serves the metrics path unrecorded, labels matched routes, discards opted-out ones', async () => {
    const registry = new Registry();
    const lifecycle = createLifecycle(PKG, { registry, defaultMetrics: false });
    const { url, closed } = await serve((req, res) => {
      const state = lifecycle.arrive(req, res, req, res);
      if (state === METRICS_REQUEST) return void lifecycle.serve(req, res);
      const route = router.find(req.method, req.url);
      if (state !== undefined && route !== undefined) {
        if (route.metrics === false) lifecycle.discard(state);
        else lifecycle.route(state, route.template);
      }
      router.handle(route, req, res);
    });

    for (const [path, status] of [['/users/7', 201], ['/private', 200], ['/nope', 404]] as const) {
      expect((await request(`${url}${path}`)).status).toBe(status);
      await closed();
    }
    expect((await request(`${url}/metrics`, { method: 'POST' })).status).toBe(405);
    await closed();
    const exp = await scrape(url);
    expect(exp.find('http_requests_total').map((s) => s.labels)).toEqual([
      { method: 'GET', route: '/users/:id', status_code: '201' },
      { method: 'GET', route: '__unmatched__', status_code: '404' },
    ]);
    expect(exp.sum('http_requests_total')).toBe(2);
    expect(exp.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
    expect(exp.find('http_requests_in_flight', { method: 'POST' })).toEqual([]);
  });

  test('begins, takes the route, and ends once with the status; in flight while the handler runs', async () => {
    const registry = new Registry();
    const lifecycle = lifecycleOn(registry);
    const inFlight: (number | undefined)[] = [];
    const { url, closed } = await serve((req, res) => {
      const state = lifecycle.arrive(req, res, req, res);
      if (state === METRICS_REQUEST) return void lifecycle.serve(req, res);
      void exposition(registry).then((exp) => {
        inFlight.push(exp.value('http_requests_in_flight', { method: 'PUT' }));
        if (state !== undefined) lifecycle.route(state, '/things/:id');
        res.statusCode = 204;
        res.end();
        res.end(); // a second end changes nothing
      });
    });
    expect((await request(`${url}/things/1`, { method: 'PUT' })).status).toBe(204);
    await closed();
    const exp = await scrape(url);
    expect(inFlight).toEqual([1]);
    expect(exp.value('http_requests_total', { method: 'PUT', route: '/things/:id', status_code: '204' })).toBe(1);
    expect(exp.value('http_request_duration_seconds_count', { method: 'PUT', route: '/things/:id', status_code: '204' })).toBe(1);
    expect(exp.value('http_requests_in_flight', { method: 'PUT' })).toBe(0);
  });

  test('counts a response two lifecycles see once, by the first; the same lifecycle adopts its own state', async () => {
    const registry = new Registry();
    const first = lifecycleOn(registry);
    const second = lifecycleOn(registry);
    const seen: string[] = [];
    const { url, closed } = await serve((req, res) => {
      const a = first.arrive(req, res, req, res);
      const again = first.arrive(req, res, req, res);
      const b = second.arrive(req, res, req, res);
      seen.push(`${typeof a} ${again === a} ${String(b)}`);
      void exposition(registry).then((exp) => {
        seen.push(`in flight ${exp.value('http_requests_in_flight', { method: 'GET' })}`);
        if (typeof a === 'object') first.route(a, '/shared');
        res.end('ok');
      });
    });
    await request(`${url}/shared`);
    await closed();
    const exp = await exposition(registry);
    expect(seen).toEqual(['object true undefined', 'in flight 1']);
    expect(exp.find('http_requests_total').map((s) => [s.labels.route, s.value])).toEqual([['/shared', 1]]);
    expect(exp.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
  });

  test('records a client that goes away before the response as 499, once, and in flight back to 0', async () => {
    const registry = new Registry();
    const lifecycle = lifecycleOn(registry);
    let handlerHasRequest!: () => void;
    const received = new Promise<void>((resolve) => (handlerHasRequest = resolve));
    const { url, closed } = await serve((req, res) => {
      const state = lifecycle.arrive(req, res, req, res);
      if (typeof state === 'object') lifecycle.route(state, '/slow');
      res.on('close', () => res.end('too late')); // answers the closed connection: still one request
      handlerHasRequest();
    });
    await requestAbortedWhen(`${url}/slow`, received);
    await closed();
    const exp = await exposition(registry);
    expect(exp.find('http_requests_total').map((s) => [s.labels.status_code, s.value])).toEqual([['499', 1]]);
    expect(exp.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
  });

  test('records a response destroyed with an error after its headers as 500', async () => {
    const registry = new Registry();
    const lifecycle = lifecycleOn(registry);
    const { url, closed } = await serve((req, res) => {
      const state = lifecycle.arrive(req, res, req, res);
      if (typeof state === 'object') lifecycle.route(state, '/download');
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first chunk\n', () => res.destroy(new Error('the body stream failed')));
    });
    await request(`${url}/download`).catch(() => undefined);
    await closed();
    const exp = await exposition(registry);
    expect(exp.find('http_requests_total').map((s) => [s.labels.route, s.labels.status_code, s.value])).toEqual([['/download', '500', 1]]);
  });

  test("leaves a request out when routeOf answers null, and honours the framework's opt-out with getRoute", async () => {
    const registry = new Registry();
    const spec: AdapterSpec<IncomingMessage, ServerResponse> = {
      routeOf: (req) => (req.url === '/hidden' ? null : req.url === '/known' ? '/known' : undefined),
      leftOut: (req) => req.url === '/hidden',
    };
    const framework = lifecycleOn(registry, {}, spec);
    const custom = lifecycleOn(new Registry(), {
      getRoute: (req) => {
        if (req.url === '/throws') throw new Error('no route');
        return req.url === '/known' ? 'custom-known' : undefined;
      },
    }, spec);
    for (const lifecycle of [framework, custom]) {
      const { url, closed } = await serve((req, res) => {
        const state = lifecycle.arrive(req, res, req, res);
        if (typeof state === 'object' && req.url === '/routed') lifecycle.route(state, '/routed'); // ignored with getRoute
        res.end('ok');
      });
      for (const path of ['/known', '/hidden', '/throws', '/routed']) {
        await request(`${url}${path}`);
        await closed();
      }
    }
    const routesOf = async (r: Registry) =>
      Object.fromEntries((await exposition(r)).find('http_requests_total').map((s) => [s.labels.route, s.value]));
    expect(await routesOf(registry)).toEqual({ '/known': 1, '/routed': 1, __unmatched__: 1 });
    expect(await routesOf(custom.recorder.options.registry as Registry)).toEqual({ 'custom-known': 1, __unmatched__: 2 });
  });

  test("arriveAtServer counts what the framework refuses, and asks skip with the adapter's objects", async () => {
    interface Wrapped { node: IncomingMessage; probe: boolean }
    const registry = new Registry();
    const lifecycle = lifecycleOn<Wrapped, Wrapped>(registry, { skip: (wrapped) => wrapped.probe === true });
    const { url, closed } = await serve(
      (req, res) => {
        // The "framework": refuses some URLs before its own objects exist, wraps the rest.
        if (req.url === '/bad%') {
          res.statusCode = 400;
          return void res.end();
        }
        const wrapped: Wrapped = { node: req, probe: req.headers['x-probe'] === '1' };
        const state = lifecycle.arrive(wrapped, wrapped, req, res);
        if (state === METRICS_REQUEST) return void lifecycle.serve(req, res);
        if (state !== undefined) lifecycle.route(state, '/work');
        res.end('ok');
      },
      (server) => server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => lifecycle.arriveAtServer(req, res)),
    );
    for (const [path, headers] of [['/work', {}], ['/work', { 'x-probe': '1' }], ['/bad%', {}]] as const) {
      await request(`${url}${path}`, { headers });
      await closed();
    }
    const exp = await scrape(url);
    expect(exp.find('http_requests_total').map((s) => [s.labels.route, s.labels.status_code, s.value])).toEqual([
      ['/work', '200', 1],
      ['__unmatched__', '400', 1],
    ]);
    expect(exp.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
  });
});

describe('createLifecycle', () => {
  test.each<[string, unknown, RegExp]>([
    ['an unknown option', { registy: 1 }, /^test-adapter: unknown option "registy"$/],
    ['a getRoute that is not a function', { getRoute: '/x' }, /^test-adapter: getRoute must be a function, got string$/],
    ['a bad path', { path: 'metrics' }, /^test-adapter: path must be a string starting with "\/"/],
  ])('refuses %s with a TypeError prefixed by the package name', (_case, options, message) => {
    expect(() => createLifecycle(PKG, { registry: new Registry(), ...(options as object) })).toThrow(message);
  });

  test('mounts no endpoint with path: false', () => {
    const lifecycle = lifecycleOn(new Registry(), { path: false });
    expect(lifecycle.endpoint).toBeUndefined();
    expect(lifecycle.path).toBe(false);
  });
});

describe('the entry points', () => {
  test('the root is what applications call; the adapter kit is its own entry point', () => {
    for (const name of ['createLifecycle', 'RequestState', 'endOnClose', 'stateOf', 'adapterParts', 'optionError', 'checkOptionKeys', 'isPath', 'joinRoute']) {
      expect(root).not.toHaveProperty(name);
    }
    for (const name of ['resolvePath', 'methodIndexOf', 'statusLabel', 'httpNames', 'traceIdFromTraceparent', 'globalRegistry']) {
      expect(root).not.toHaveProperty(name);
    }
    for (const name of ['createHttpMetrics', 'metricsHandler', 'createMetricsEndpoint', 'startMetricsServer', 'Counter', 'UNMATCHED_ROUTE']) {
      expect(root).toHaveProperty(name);
    }
  });
});
