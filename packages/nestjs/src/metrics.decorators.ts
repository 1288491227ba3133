import { Inject, SetMetadata } from '@nestjs/common';
import { EXCLUDE_FROM_METRICS, METRICS_REGISTRY } from './metrics.constants';
import { getMetricToken } from './metrics.providers';

/**
 * Leaves a controller, or one route handler, out of the HTTP metrics: its requests are not
 * counted, whatever their status (a guard's 403 included). Read with
 * `Reflector.getAllAndOverride` over the handler and its class when the application starts.
 *
 * @example
 * @ExcludeFromMetrics()
 * @Controller('health')
 * export class HealthController {}
 */
export function ExcludeFromMetrics(): ClassDecorator & MethodDecorator {
  return SetMetadata(EXCLUDE_FROM_METRICS, true);
}

/**
 * Injects an application metric declared with `makeCounterProvider`, `makeGaugeProvider`,
 * `makeHistogramProvider` or `makeSummaryProvider`, by its name.
 *
 * @example
 * constructor(@InjectMetric('orders_total') private readonly orders: Counter<'kind'>) {}
 */
export function InjectMetric(name: string): PropertyDecorator & ParameterDecorator {
  return Inject(getMetricToken(name));
}

/** Injects the prom-client `Registry` the module records into. */
export function InjectMetricsRegistry(): PropertyDecorator & ParameterDecorator {
  return Inject(METRICS_REGISTRY);
}
