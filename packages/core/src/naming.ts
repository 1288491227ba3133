/** Metric and label names of the two naming schemes (SPEC: "HTTP metrics"). */

/** Metric and label names of one naming scheme, prefix applied. */
export interface HttpNames {
  /** Undefined in the OpenTelemetry scheme, where the histogram's `_count` serves. */
  requests: string | undefined;
  duration: string;
  inFlight: string;
  requestSize: string;
  responseSize: string;
  method: string;
  route: string;
  status: string;
}

/** The names for `naming` with `prefix` prepended to every metric name. */
export function httpNames(naming: 'default' | 'otel', prefix: string): HttpNames {
  if (naming === 'otel') {
    return {
      requests: undefined,
      duration: `${prefix}http_server_request_duration_seconds`,
      inFlight: `${prefix}http_server_active_requests`,
      requestSize: `${prefix}http_server_request_body_size_bytes`,
      responseSize: `${prefix}http_server_response_body_size_bytes`,
      method: 'http_request_method',
      route: 'http_route',
      status: 'http_response_status_code',
    };
  }
  return {
    requests: `${prefix}http_requests_total`,
    duration: `${prefix}http_request_duration_seconds`,
    inFlight: `${prefix}http_requests_in_flight`,
    requestSize: `${prefix}http_request_size_bytes`,
    responseSize: `${prefix}http_response_size_bytes`,
    method: 'method',
    route: 'route',
    status: 'status_code',
  };
}

/** The label names that custom labels may not reuse. */
export function builtInLabelNames(naming: 'default' | 'otel'): string[] {
  const n = httpNames(naming, '');
  return [n.method, n.route, n.status];
}

/** Counts label values recorded as `__overflow__`, by `metric` and `label` (after `prefix`). */
export const OVERFLOW_METRIC = 'promwire_label_overflow_total';

/** Metric and label names of the ML inference metrics (SPEC: "ML inference"), prefix applied. */
export interface MlNames {
  inferenceDuration: string;
  inFlight: string;
  batchSize: string;
  loadDuration: string;
  model: string;
  runtime: string;
  outcome: string;
}

/** The ML inference names with `prefix` prepended to every metric name. */
export function mlNames(prefix: string): MlNames {
  return {
    inferenceDuration: `${prefix}ml_inference_duration_seconds`,
    inFlight: `${prefix}ml_inference_in_flight`,
    batchSize: `${prefix}ml_inference_batch_size`,
    loadDuration: `${prefix}ml_model_load_duration_seconds`,
    model: 'model',
    runtime: 'runtime',
    outcome: 'outcome',
  };
}
