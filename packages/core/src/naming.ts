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

/**
 * Metric and label names of the generative-AI API metrics (SPEC: "Generative-AI API metrics"),
 * after the OpenTelemetry GenAI semantic conventions as the Prometheus exporter renders them.
 * Those conventions are still in Development status upstream: this table is the one place to
 * follow a rename. The same in both `naming` modes (the names are OpenTelemetry's already).
 */
export interface GenAiNames {
  requests: string;
  duration: string;
  timeToFirstToken: string;
  timePerOutputToken: string;
  tokenUsage: string;
  tokens: string;
  usageMissing: string;
  timePerOutputChunk: string;
  inFlight: string;
  /** promwire's own: response events or bodies left unread (too long, not JSON, compressed). */
  unread: string;
  operation: string;
  model: string;
  stream: string;
  finishReason: string;
  errorType: string;
  tokenType: string;
  reason: string;
}

/** The GenAI names with `prefix` prepended to every metric name. */
export function genAiNames(prefix: string): GenAiNames {
  return {
    requests: `${prefix}gen_ai_server_requests_total`,
    duration: `${prefix}gen_ai_server_request_duration_seconds`,
    timeToFirstToken: `${prefix}gen_ai_server_time_to_first_token_seconds`,
    timePerOutputToken: `${prefix}gen_ai_server_time_per_output_token_seconds`,
    tokenUsage: `${prefix}gen_ai_server_token_usage`,
    tokens: `${prefix}gen_ai_server_tokens_total`,
    usageMissing: `${prefix}gen_ai_server_stream_usage_missing_total`,
    timePerOutputChunk: `${prefix}gen_ai_server_time_per_output_chunk_seconds`,
    inFlight: `${prefix}gen_ai_server_requests_in_flight`,
    unread: `${prefix}promwire_genai_unread_total`,
    operation: 'gen_ai_operation_name',
    model: 'gen_ai_request_model',
    stream: 'stream',
    finishReason: 'finish_reason',
    errorType: 'error_type',
    tokenType: 'gen_ai_token_type',
    reason: 'reason',
  };
}
