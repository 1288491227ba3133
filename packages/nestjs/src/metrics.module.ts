import { type DynamicModule, type FactoryProvider, Inject, type MiddlewareConsumer, type NestModule, type Provider } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, HttpAdapterHost, MetadataScanner, Reflector } from '@nestjs/core';
import { METRICS_OPTIONS, METRICS_REGISTRY, PKG } from './metrics.constants';
import type { MetricsModuleAsyncOptions, MetricsModuleOptions, MetricsOptionsFactory } from './metrics.interfaces';
import { MetricsInstaller } from './metrics.installer';
import { NestHttpMetrics } from './metrics.recorder';

/**
 * Prometheus metrics for a NestJS application on `@nestjs/platform-express` or
 * `@nestjs/platform-fastify`: `http_requests_total`, `http_request_duration_seconds` and
 * `http_requests_in_flight` for every request, labelled with the Nest route template
 * (`/api/v1/cats/:id`; `__unmatched__` when no route matched), including requests answered by
 * the router's 404, a guard, a pipe or an exception filter, and a `/metrics` endpoint at the
 * root (the `path` option; a global prefix does not apply). A global module: import it once.
 *
 * Bad options throw a `TypeError` prefixed `@promwire/nestjs:` when the application is created.
 * A client that goes away before the response is finished is recorded once, as 499.
 *
 * @example
 * @Module({ imports: [MetricsModule.forRoot({ registry })] })
 * export class AppModule {}
 */
export class MetricsModule implements NestModule {
  // The installer is injected by token, declared with a plain call rather than a parameter
  // decorator, so the module works whichever decorator mode compiled this source (standard
  // decorators, TypeScript's default, silently drop a parameter decorator).
  static {
    Inject(MetricsInstaller)(this, undefined, 0);
  }

  constructor(private readonly installer: MetricsInstaller) {}

  /** Attaches the recorder to the HTTP platform, before Nest registers the routes. */
  configure(_consumer: MiddlewareConsumer): void {
    this.installer.install();
  }

  /** The module with `options` (see `MetricsModuleOptions`; default: the global registry). */
  static forRoot(options: MetricsModuleOptions = {}): DynamicModule {
    return MetricsModule.create([{ provide: METRICS_OPTIONS, useValue: options }], []);
  }

  /**
   * The module with options built by a factory, a class or an existing provider.
   *
   * @example
   * MetricsModule.forRootAsync({
   *   imports: [ConfigModule],
   *   inject: [ConfigService],
   *   useFactory: (config: ConfigService) => ({ prefix: config.get('METRICS_PREFIX') }),
   * })
   */
  static forRootAsync(options: MetricsModuleAsyncOptions): DynamicModule {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`${PKG}: forRootAsync needs an object with useFactory, useClass or useExisting`);
    }
    const { useFactory, useClass, useExisting, inject, imports } = options;
    const given = [useFactory, useClass, useExisting].filter((x) => x !== undefined).length;
    if (given !== 1) {
      throw new TypeError(`${PKG}: forRootAsync needs exactly one of useFactory, useClass and useExisting, got ${given}`);
    }
    const providers: Provider[] = [];
    if (useFactory !== undefined) {
      if (typeof useFactory !== 'function') throw new TypeError(`${PKG}: forRootAsync useFactory must be a function`);
      providers.push({
        provide: METRICS_OPTIONS,
        useFactory: useFactory as (...args: unknown[]) => MetricsModuleOptions | Promise<MetricsModuleOptions>,
        inject: inject ?? [],
      });
    } else {
      const token = useClass ?? useExisting!;
      if (useClass !== undefined) providers.push({ provide: useClass, useClass });
      providers.push({
        provide: METRICS_OPTIONS,
        useFactory: (factory: MetricsOptionsFactory) => factory.createMetricsOptions(),
        inject: [token],
      });
    }
    return MetricsModule.create(providers, imports ?? []);
  }

  private static create(optionProviders: Provider[], imports: NonNullable<DynamicModule['imports']>): DynamicModule {
    const http: FactoryProvider<NestHttpMetrics> = {
      provide: NestHttpMetrics,
      useFactory: (options: MetricsModuleOptions | undefined) => new NestHttpMetrics(options),
      inject: [METRICS_OPTIONS],
    };
    const registry: FactoryProvider = {
      provide: METRICS_REGISTRY,
      useFactory: (metrics: NestHttpMetrics) => metrics.registry,
      inject: [NestHttpMetrics],
    };
    const installer: FactoryProvider<MetricsInstaller> = {
      provide: MetricsInstaller,
      useFactory: (
        metrics: NestHttpMetrics,
        host: HttpAdapterHost | null,
        discovery: DiscoveryService,
        scanner: MetadataScanner,
        reflector: Reflector,
      ) => new MetricsInstaller(metrics, host, discovery, scanner, reflector),
      inject: [NestHttpMetrics, { token: HttpAdapterHost, optional: true }, DiscoveryService, MetadataScanner, Reflector],
    };
    return {
      module: MetricsModule,
      global: true,
      imports: [DiscoveryModule, ...imports],
      providers: [...optionProviders, http, registry, installer],
      exports: [METRICS_OPTIONS, METRICS_REGISTRY],
    };
  }
}
