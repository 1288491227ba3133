export { MetricsModule } from './metrics.module';
export { METRICS_OPTIONS, METRICS_REGISTRY, EXCLUDE_FROM_METRICS } from './metrics.constants';
export type { MetricsModuleOptions, MetricsModuleAsyncOptions, MetricsOptionsFactory } from './metrics.interfaces';
export { ExcludeFromMetrics, InjectMetric, InjectMetricsRegistry } from './metrics.decorators';
export {
  getMetricToken, makeCounterProvider, makeGaugeProvider, makeHistogramProvider, makeSummaryProvider,
} from './metrics.providers';
export type { CounterOptions, GaugeOptions, HistogramOptions, SummaryOptions } from './metrics.providers';
