export { createHttpMetrics, HttpRecorder } from './http-metrics';
export type { HttpRecorderOptions, RawRequest } from './http-metrics';
export { RequestState } from './request-state';
export { endOnClose, stateOf } from './node-response';
export { createMetricsEndpoint, metricsHandler } from './endpoint';
export type { MetricsEndpoint, MetricsEndpointOptions, MetricsResponse } from './endpoint';
export { startMetricsServer, DEFAULT_METRICS_PORT } from './metrics-server';
export type { MetricsServer, MetricsServerOptions } from './metrics-server';
export type { MetricsAuth } from './auth';
export { renderRegistry, OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from './exposition';
export {
  checkOptionKeys, optionError, resolvePath,
  DEFAULT_DURATION_BUCKETS, DEFAULT_SIZE_BUCKETS, DEFAULT_MAX_LABEL_VALUES, DEFAULT_METRICS_PATH,
} from './options';
export type { EndpointOptions, HttpMetricsOptions, LabelValue, MetricsOptions } from './options';
export {
  UNMATCHED_ROUTE, OVERFLOW_VALUE, OTHER_METHOD, CLIENT_CLOSED_STATUS, MAX_LABEL_VALUE_LENGTH,
  methodIndexOf, statusLabel, isPath, joinRoute,
} from './labels';
export { httpNames, OVERFLOW_METRIC } from './naming';
export type { HttpNames } from './naming';
export { traceIdFromTraceparent } from './exemplar';
export { defaultRegistry, Counter, Gauge, Histogram, Summary, CLIENT_NAMES } from './prom';
export type { ClientName, Registry } from './prom';
export { adapterParts } from './adapter';
export type { AdapterOptions, AdapterParts } from './adapter';
