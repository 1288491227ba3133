// Koa 3 servers with @koa/router, one per variant.
import { createRequire } from 'node:module';
import { ROUTE, noop, tenantOf, user } from '../lib/common.mjs';
import { floorMetrics } from '../lib/floor.mjs';

export const framework = {
  id: 'koa',
  title: 'Koa',
  frameworkPackage: 'koa',
  promwirePackage: '@promwire/koa',
  requires: ['@koa/router'],
  versionsOf: ['@koa/router'],
};

async function koaApp() {
  const { default: Koa } = await import('koa');
  return new Koa();
}

async function router() {
  const mod = await import('@koa/router');
  const Router = mod.Router ?? mod.default;
  const r = new Router();
  r.get(ROUTE, (ctx) => {
    ctx.body = user(ctx.params.id);
  });
  return r;
}

function listen(app) {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server.address().port));
    server.once('error', reject);
  });
}

async function withRoutes(app, ...middleware) {
  for (const m of middleware) app.use(m);
  app.use((await router()).routes());
  return listen(app);
}

async function promwire(options) {
  const { metrics } = await import('@promwire/koa');
  return withRoutes(await koaApp(), metrics(options));
}

export const variants = [
  {
    id: 'bare',
    kind: 'bare',
    start: async () => withRoutes(await koaApp()),
  },
  {
    id: 'noop',
    kind: 'noop',
    note: "middleware adding a shared res 'close' listener",
    start: async () =>
      withRoutes(await koaApp(), (ctx, next) => {
        ctx.res.on('close', noop);
        return next();
      }),
  },
  {
    id: 'noop-passthrough',
    kind: 'noop',
    optIn: true,
    note: "middleware calling next() only: with 'noop', what one res 'close' listener costs",
    start: async () => withRoutes(await koaApp(), (_ctx, next) => next()),
  },
  {
    id: 'promwire',
    kind: 'promwire',
    package: '@promwire/koa',
    check: { metric: 'http_requests_total', labels: { route: ROUTE } },
    start: () => promwire(),
  },
  {
    id: 'promwire-no-defaults',
    kind: 'promwire',
    package: '@promwire/koa',
    note: "defaultMetrics: false (no process metrics, whose samplers run on timers: the floor registers none either)",
    check: { metric: 'http_requests_total', labels: { route: ROUTE } },
    start: () => promwire({ defaultMetrics: false }),
  },
  {
    id: 'promwire-full',
    kind: 'promwire',
    package: '@promwire/koa',
    note: 'requestSize, responseSize, labels: { tenant }',
    check: { metric: 'http_requests_total', labels: { route: ROUTE } },
    start: () => promwire({ requestSize: true, responseSize: true, labels: { tenant: tenantOf } }),
  },
  {
    id: 'prometheus-api-metrics',
    kind: 'peer',
    package: 'prometheus-api-metrics',
    check: { metric: 'http_request_duration_seconds_count', labels: { route: ROUTE } },
    async start() {
      // It reads the requiring module's package.json (module.parent), so it must be required.
      const { koaMiddleware } = createRequire(import.meta.url)('prometheus-api-metrics');
      return withRoutes(await koaApp(), koaMiddleware());
    },
  },
  {
    id: 'floor',
    kind: 'floor',
    package: 'prom-client',
    note: "prom-client counter.inc / histogram.observe / gauge.inc,dec with label objects on res 'close'",
    check: { metric: 'http_requests_total', labels: { route: ROUTE } },
    async start() {
      const floor = floorMetrics();
      return withRoutes(await koaApp(), (ctx, next) => {
        if (ctx.path === '/metrics') {
          ctx.respond = false;
          return floor.handle(ctx.req, ctx.res);
        }
        const method = ctx.method;
        const start = floor.begin(method);
        ctx.res.on('close', () => floor.record(method, ctx._matchedRoute ?? '__unmatched__', ctx.res.statusCode, start));
        return next();
      });
    },
  },
];
