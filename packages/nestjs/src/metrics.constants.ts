/** Package name that prefixes every error message. */
export const PKG = '@promwire/nestjs';

/** Injection token of the options given to `MetricsModule.forRoot` / `forRootAsync`. */
export const METRICS_OPTIONS = 'PROMWIRE_METRICS_OPTIONS';

/** Injection token of the prom-client `Registry` the module records into. */
export const METRICS_REGISTRY = 'PROMWIRE_METRICS_REGISTRY';

/** Metadata key set by `@ExcludeFromMetrics()` on a controller class or a route handler. */
export const EXCLUDE_FROM_METRICS = 'promwire:exclude-from-metrics';

/**
 * Metadata key the module writes on every controller method before Nest registers the routes:
 * true when `@ExcludeFromMetrics()` applies to it, else false. Nest copies a handler's metadata
 * onto the function it registers with Express or Fastify, so a matched route tells both that
 * it is a Nest route handler and whether it is excluded.
 */
export const ROUTE_HANDLER = 'promwire:route-handler';

