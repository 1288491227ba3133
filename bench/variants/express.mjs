// Express 5 servers, one per variant. Each `start()` builds the app in this process and
// answers the port it listens on (127.0.0.1, ephemeral).
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { ROUTE, noop, tenantOf, user } from '../lib/common.mjs';
import { floorMetrics } from '../lib/floor.mjs';

export const framework = {
  id: 'express',
  title: 'Express',
  frameworkPackage: 'express',
  promwirePackage: '@promwire/express',
};

async function expressApp() {
  const { default: express } = await import('express');
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  return app;
}

function routes(app) {
  app.get(ROUTE, (req, res) => {
    res.json(user(req.params.id));
  });
}

function listen(app) {
  return new Promise((resolve, reject) => {
    const server = createServer(app);
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

async function promwire(options) {
  const { metrics } = await import('@promwire/express');
  const app = await expressApp();
  app.use(metrics(options));
  routes(app);
  return listen(app);
}

export const variants = [
  {
    id: 'bare',
    kind: 'bare',
    async start() {
      const app = await expressApp();
      routes(app);
      return listen(app);
    },
  },
  {
    id: 'noop',
    kind: 'noop',
    note: "middleware adding a shared res 'close' listener",
    async start() {
      const app = await expressApp();
      app.use((req, res, next) => {
        res.on('close', noop);
        next();
      });
      routes(app);
      return listen(app);
    },
  },
  {
    id: 'promwire',
    kind: 'promwire',
    package: '@promwire/express',
    check: { metric: 'http_requests_total', labels: { route: ROUTE } },
    start: () => promwire(),
  },
  {
    id: 'promwire-no-defaults',
    kind: 'promwire',
    package: '@promwire/express',
    note: "defaultMetrics: false (no process metrics, whose samplers run on timers: the floor registers none either)",
    check: { metric: 'http_requests_total', labels: { route: ROUTE } },
    start: () => promwire({ defaultMetrics: false }),
  },
  {
    id: 'promwire-full',
    kind: 'promwire',
    package: '@promwire/express',
    note: 'requestSize, responseSize, labels: { tenant }',
    check: { metric: 'http_requests_total', labels: { route: ROUTE } },
    start: () => promwire({ requestSize: true, responseSize: true, labels: { tenant: tenantOf } }),
  },
  {
    id: 'express-prom-bundle',
    kind: 'peer',
    package: 'express-prom-bundle',
    note: 'at its defaults it labels by status code only (no method, no path); the check sums those series',
    check: { metric: 'http_request_duration_seconds_count' },
    async start() {
      const { default: promBundle } = await import('express-prom-bundle');
      const app = await expressApp();
      app.use(promBundle({}));
      routes(app);
      return listen(app);
    },
  },
  {
    id: '@promster/express',
    kind: 'peer',
    package: '@promster/express',
    note: 'path label from the URL, normalized (/users/#val); /metrics served with its getSummary()',
    check: { metric: 'http_requests_total', labels: { path: '/users/#val' } },
    async start() {
      const promster = await import('@promster/express');
      const app = await expressApp();
      app.use(promster.createMiddleware({ app }));
      app.get('/metrics', async (req, res) => {
        res.setHeader('content-type', promster.getContentType());
        res.end(await promster.getSummary());
      });
      routes(app);
      return listen(app);
    },
  },
  {
    id: 'prometheus-api-metrics',
    kind: 'peer',
    package: 'prometheus-api-metrics',
    check: { metric: 'http_request_duration_seconds_count', labels: { route: ROUTE } },
    async start() {
      // It reads the requiring module's package.json (module.parent), so it must be required.
      const { expressMiddleware } = createRequire(import.meta.url)('prometheus-api-metrics');
      const app = await expressApp();
      app.use(expressMiddleware());
      routes(app);
      return listen(app);
    },
  },
  {
    id: 'floor',
    kind: 'floor',
    package: 'prom-client',
    note: 'prom-client counter.inc / histogram.observe / gauge.inc,dec with label objects',
    check: { metric: 'http_requests_total', labels: { route: ROUTE } },
    async start() {
      const floor = floorMetrics();
      const app = await expressApp();
      app.get('/metrics', floor.handle);
      app.use((req, res, next) => {
        const method = req.method;
        const start = floor.begin(method);
        res.on('close', () => {
          const route = req.route === undefined ? '__unmatched__' : req.baseUrl + req.route.path;
          floor.record(method, route, res.statusCode, start);
        });
        next();
      });
      routes(app);
      return listen(app);
    },
  },
];
