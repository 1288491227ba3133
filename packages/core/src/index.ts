/**
 * `@promwire/core`: what an application calls. The HTTP recorder, the `/metrics` endpoint and
 * the standalone metrics server, the Pushgateway pusher and cluster aggregation, names and
 * defaults, and the client's metric classes.
 * Adapters are built from `@promwire/core/adapter`.
 */
export { createHttpMetrics, HttpRecorder } from './http-metrics';
export type { HttpRecorderOptions, RawRequest } from './http-metrics';
export { createMetricsEndpoint, metricsHandler } from './endpoint';
export type { MetricsEndpoint, MetricsEndpointOptions, MetricsResponse } from './endpoint';
export { startMetricsServer, DEFAULT_METRICS_PORT } from './metrics-server';
export type { MetricsServer, MetricsServerOptions } from './metrics-server';
export type { MetricsAuth } from './auth';
export { renderRegistry, OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from './exposition';
export {
  DEFAULT_DURATION_BUCKETS, DEFAULT_SIZE_BUCKETS, DEFAULT_MAX_LABEL_VALUES, DEFAULT_METRICS_PATH,
} from './options';
export type { EndpointOptions, HttpMetricsOptions, LabelValue, MetricsOptions } from './options';
export {
  UNMATCHED_ROUTE, OVERFLOW_VALUE, OTHER_METHOD, CLIENT_CLOSED_STATUS, MAX_LABEL_VALUE_LENGTH,
} from './labels';
export { OVERFLOW_METRIC } from './naming';
export type { HttpNames } from './naming';
export { pushMetrics, GZIP_THRESHOLD_BYTES } from './push/pusher';
export type { MetricsPusher, PushCallOptions, PushMethod } from './push/pusher';
export type { PushOptions } from './push/push-options';
export type { ExitPushOptions, PushSchedule } from './push/schedules';
export { PushgatewayError } from './push/push-error';
export { clusterMetrics, DEFAULT_WORKER_TIMEOUT_MS } from './cluster/cluster-metrics';
export type { ClusterMetricsOptions, ClusterPrimary, ClusterWorker } from './cluster/cluster-metrics';
export { defaultRegistry, Counter, Gauge, Histogram, Summary, CLIENT_NAMES } from './prom';
export { createHistogram } from './native/histogram-metric';
export type { HistogramMetric, HistogramOptions, HistogramSeries } from './native/histogram-metric';
export type { HistogramMode, NativeHistogramOptions } from './native/native-options';
export {
  DEFAULT_NATIVE_BUCKET_FACTOR, DEFAULT_NATIVE_MAX_BUCKETS, DEFAULT_NATIVE_ZERO_THRESHOLD,
} from './native/native-options';
export type { ClientName, Registry } from './prom';
export { DEFAULT_GENAI_ROUTES } from './genai/options';
export type { GenAiOperation, GenAiOptions, GenAiRoute } from './genai/options';
export {
  GENAI_DURATION_BUCKETS, GENAI_TOKEN_BUCKETS, GENAI_TPOT_BUCKETS, GENAI_TTFT_BUCKETS,
} from './genai/genai-metrics';
export type { GenAiNames } from './naming';
