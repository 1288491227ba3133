// Fastify 5 servers, one per variant. Hooks are the callback style (onRequest + onResponse),
// the cheapest Fastify offers.
import { ROUTE, noop, tenantOf, user } from '../lib/common.mjs';
import { floorMetrics } from '../lib/floor.mjs';

export const framework = {
  id: 'fastify',
  title: 'Fastify',
  frameworkPackage: 'fastify',
  promwirePackage: '@promwire/fastify',
};

async function fastifyApp() {
  const { default: Fastify } = await import('fastify');
  return Fastify({ logger: false });
}

function routes(app) {
  app.get(ROUTE, async (request) => user(request.params.id));
}

async function listen(app) {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app.server.address().port;
}

function noopHook(request, reply, done) {
  done();
}

/** The no-op onRequest hook: like every framework's no-op, it listens for the response's close. */
function noopCloseHook(request, reply, done) {
  reply.raw.on('close', noop);
  done();
}

async function promwire(options) {
  const mod = await import('@promwire/fastify');
  const app = await fastifyApp();
  await app.register(mod.metrics ?? mod.default, options);
  routes(app);
  return listen(app);
}

export const variants = [
  {
    id: 'bare',
    kind: 'bare',
    async start() {
      const app = await fastifyApp();
      routes(app);
      return listen(app);
    },
  },
  {
    id: 'noop',
    kind: 'noop',
    note: "onRequest + onResponse hooks calling done(), onRequest adding a shared raw res 'close' listener (the cost of seeing a client that leaves, as in the other frameworks' no-op)",
    async start() {
      const app = await fastifyApp();
      app.addHook('onRequest', noopCloseHook);
      app.addHook('onResponse', noopHook);
      routes(app);
      return listen(app);
    },
  },
  {
    id: 'promwire',
    kind: 'promwire',
    package: '@promwire/fastify',
    check: { metric: 'http_requests_total', labels: { route: ROUTE } },
    start: () => promwire(),
  },
  {
    id: 'promwire-no-defaults',
    kind: 'promwire',
    package: '@promwire/fastify',
    note: "defaultMetrics: false (no process metrics, whose samplers run on timers: the floor registers none either)",
    check: { metric: 'http_requests_total', labels: { route: ROUTE } },
    start: () => promwire({ defaultMetrics: false }),
  },
  {
    id: 'promwire-full',
    kind: 'promwire',
    package: '@promwire/fastify',
    note: 'requestSize, responseSize, labels: { tenant }',
    check: { metric: 'http_requests_total', labels: { route: ROUTE } },
    start: () => promwire({ requestSize: true, responseSize: true, labels: { tenant: tenantOf } }),
  },
  {
    id: 'fastify-metrics',
    kind: 'peer',
    package: 'fastify-metrics',
    note: 'pinned to 13.x: 14.x needs Node ≥ 22.19 and records with @prometheus-io/client instead of prom-client',
    check: { metric: 'http_request_duration_seconds_count', labels: { route: ROUTE } },
    async start() {
      const mod = await import('fastify-metrics');
      const app = await fastifyApp();
      await app.register(mod.default?.default ?? mod.default);
      routes(app);
      return listen(app);
    },
  },
  {
    id: 'fastify-metrics-14',
    kind: 'peer',
    package: 'fastify-metrics-14',
    note: 'fastify-metrics 14 (installed as the alias fastify-metrics-14), which records with @prometheus-io/client and needs Node ≥ 22.19',
    check: { metric: 'http_request_duration_seconds_count', labels: { route: ROUTE } },
    async start() {
      const [major, minor] = process.versions.node.split('.').map(Number);
      if (major < 22 || (major === 22 && minor < 19)) throw new Error(`fastify-metrics 14 needs Node ≥ 22.19, this is ${process.version}`);
      const mod = await import('fastify-metrics-14');
      const app = await fastifyApp();
      await app.register(mod.default?.default ?? mod.default);
      routes(app);
      return listen(app);
    },
  },
  {
    id: '@promster/fastify',
    kind: 'peer',
    package: '@promster/fastify',
    note: 'path label from the URL, normalized (/users/#val); /metrics served with its getSummary()',
    check: { metric: 'http_requests_total', labels: { path: '/users/#val' } },
    async start() {
      const promster = await import('@promster/fastify');
      const app = await fastifyApp();
      await app.register(promster.plugin);
      app.get('/metrics', async (request, reply) => {
        reply.type(promster.getContentType());
        return promster.getSummary();
      });
      routes(app);
      return listen(app);
    },
  },
  {
    id: 'floor',
    kind: 'floor',
    package: 'prom-client',
    note: 'prom-client counter.inc / histogram.observe / gauge.inc,dec with label objects in the same hooks',
    check: { metric: 'http_requests_total', labels: { route: ROUTE } },
    async start() {
      const floor = floorMetrics();
      const app = await fastifyApp();
      app.decorateRequest('floorStart', 0);
      app.addHook('onRequest', (request, reply, done) => {
        request.floorStart = floor.begin(request.method);
        done();
      });
      app.addHook('onResponse', (request, reply, done) => {
        floor.record(request.method, request.routeOptions.url ?? '__unmatched__', reply.statusCode, request.floorStart);
        done();
      });
      app.get('/metrics', (request, reply) => {
        reply.hijack();
        floor.handle(request.raw, reply.raw);
      });
      routes(app);
      return listen(app);
    },
  },
];
