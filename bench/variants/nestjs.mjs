// NestJS servers on @nestjs/platform-express, one per variant. Decorators are applied as
// plain function calls (this file is JavaScript). The no-op and floor hooks are Express
// middleware on the Nest application, the same place @promwire/nestjs records from.
import 'reflect-metadata';
import { ROUTE, noop, tenantOf, user } from '../lib/common.mjs';
import { floorMetrics } from '../lib/floor.mjs';

export const framework = {
  id: 'nestjs',
  title: 'NestJS (Express platform)',
  frameworkPackage: '@nestjs/core',
  promwirePackage: '@promwire/nestjs',
  requires: ['@nestjs/common', '@nestjs/platform-express', 'reflect-metadata', 'rxjs'],
  versionsOf: ['@nestjs/platform-express'],
};

async function nest() {
  const common = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');
  class UsersController {
    get(id) {
      return user(id);
    }
  }
  common.Controller('users')(UsersController);
  const descriptor = Object.getOwnPropertyDescriptor(UsersController.prototype, 'get');
  common.Get(':id')(UsersController.prototype, 'get', descriptor);
  common.Param('id')(UsersController.prototype, 'get', 0);

  /** An application module with the users controller and `imports` / `providers`. */
  function appModule({ imports = [], providers = [], configure } = {}) {
    class AppModule {}
    if (configure !== undefined) AppModule.prototype.configure = configure;
    common.Module({ imports, providers, controllers: [UsersController] })(AppModule);
    return AppModule;
  }

  async function start(module, before) {
    const app = await NestFactory.create(module, { logger: false });
    before?.(app);
    await app.listen(0, '127.0.0.1');
    return app.getHttpServer().address().port;
  }
  return { common, appModule, start };
}

/** The no-op: an Express middleware on the Nest app adding a shared res 'close' listener. */
function noopMiddleware(app) {
  app.use((req, res, next) => {
    res.on('close', noop);
    next();
  });
}

async function promwire(options) {
  const { MetricsModule } = await import('@promwire/nestjs');
  const { appModule, start } = await nest();
  return start(appModule({ imports: [MetricsModule.forRoot(options)] }));
}

export const variants = [
  {
    id: 'bare',
    kind: 'bare',
    async start() {
      const { appModule, start } = await nest();
      return start(appModule());
    },
  },
  {
    id: 'noop',
    kind: 'noop',
    note: "Express middleware on the Nest app adding a shared res 'close' listener",
    async start() {
      const { appModule, start } = await nest();
      return start(appModule(), noopMiddleware);
    },
  },
  {
    id: 'noop-discovery',
    kind: 'noop',
    optIn: true,
    note: "the no-op in an app that also imports Nest's DiscoveryModule, as MetricsModule does (and many Nest libraries)",
    async start() {
      const { DiscoveryModule } = await import('@nestjs/core');
      const { appModule, start } = await nest();
      return start(appModule({ imports: [DiscoveryModule] }), noopMiddleware);
    },
  },
  {
    id: 'noop-promwire-loaded',
    kind: 'noop',
    optIn: true,
    note: '@promwire/nestjs loaded (imported, its module not used) beside the no-op',
    async start() {
      await import('@promwire/nestjs');
      const { appModule, start } = await nest();
      return start(appModule(), noopMiddleware);
    },
  },
  {
    id: 'promwire',
    kind: 'promwire',
    package: '@promwire/nestjs',
    check: { metric: 'http_requests_total', labels: { route: ROUTE } },
    start: () => promwire(),
  },
  {
    id: 'promwire-no-defaults',
    kind: 'promwire',
    package: '@promwire/nestjs',
    note: "defaultMetrics: false (no process metrics, whose samplers run on timers: the floor registers none either)",
    check: { metric: 'http_requests_total', labels: { route: ROUTE } },
    start: () => promwire({ defaultMetrics: false }),
  },
  {
    id: 'promwire-full',
    kind: 'promwire',
    package: '@promwire/nestjs',
    note: 'requestSize, responseSize, labels: { tenant }',
    check: { metric: 'http_requests_total', labels: { route: ROUTE } },
    start: () => promwire({ requestSize: true, responseSize: true, labels: { tenant: tenantOf } }),
  },
  {
    id: '@willsoto/nestjs-prometheus',
    kind: 'peer',
    package: '@willsoto/nestjs-prometheus',
    note:
      'PrometheusModule.register() records no HTTP metrics by itself; as its README shows, the metrics are ' +
      'made with make*Provider and recorded by application code, here a Nest middleware injecting them',
    check: { metric: 'http_requests_total', labels: { route: ROUTE } },
    async start() {
      const prom = await import('@willsoto/nestjs-prometheus');
      const { DURATION_BUCKETS } = await import('../lib/common.mjs');
      const { common, appModule, start } = await nest();
      const labelNames = ['method', 'route', 'status_code'];
      class HttpMetricsMiddleware {
        constructor(requests, duration, inFlight) {
          this.requests = requests;
          this.duration = duration;
          this.inFlight = inFlight;
        }
        use(req, res, next) {
          const method = req.method;
          const start = performance.now();
          this.inFlight.inc({ method });
          res.on('close', () => {
            const labels = { method, route: req.route?.path ?? '__unmatched__', status_code: String(res.statusCode) };
            this.requests.inc(labels);
            this.duration.observe(labels, (performance.now() - start) / 1000);
            this.inFlight.dec({ method });
          });
          next();
        }
      }
      common.Injectable()(HttpMetricsMiddleware);
      prom.InjectMetric('http_requests_total')(HttpMetricsMiddleware, undefined, 0);
      prom.InjectMetric('http_request_duration_seconds')(HttpMetricsMiddleware, undefined, 1);
      prom.InjectMetric('http_requests_in_flight')(HttpMetricsMiddleware, undefined, 2);
      const module = appModule({
        imports: [prom.PrometheusModule.register()],
        providers: [
          prom.makeCounterProvider({ name: 'http_requests_total', help: 'Requests.', labelNames }),
          prom.makeHistogramProvider({ name: 'http_request_duration_seconds', help: 'Duration.', labelNames, buckets: DURATION_BUCKETS }),
          prom.makeGaugeProvider({ name: 'http_requests_in_flight', help: 'In flight.', labelNames: ['method'] }),
        ],
        configure(consumer) {
          consumer.apply(HttpMetricsMiddleware).forRoutes('*path');
        },
      });
      return start(module);
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
      const { appModule, start } = await nest();
      return start(appModule(), (app) => {
        app.use('/metrics', floor.handle);
        app.use((req, res, next) => {
          const method = req.method;
          const begun = floor.begin(method);
          res.on('close', () => floor.record(method, req.route?.path ?? '__unmatched__', res.statusCode, begun));
          next();
        });
      });
    },
  },
];
