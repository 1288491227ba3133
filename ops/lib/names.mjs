// Metric and label names the rules and the dashboard query, for one naming mode and prefix.
// They mirror packages/core/src/naming.ts (SPEC "HTTP metrics", "ML inference"); a rename there
// is one change here. `prefix` applies to every promwire metric except the cluster primary's own
// counters (core's cluster module registers them unprefixed) and prom-client's process metrics.

/** @param {'default' | 'otel'} naming @param {string} prefix */
export function names(naming, prefix) {
  const otel = naming === 'otel';
  const http = otel
    ? {
        // No request counter in the OpenTelemetry scheme: the duration histogram's _count serves.
        requests: `${prefix}http_server_request_duration_seconds_count`,
        requestsBase: `${prefix}http_server_request_duration_seconds_count`,
        duration: `${prefix}http_server_request_duration_seconds`,
        inFlight: `${prefix}http_server_active_requests`,
        method: 'http_request_method',
        route: 'http_route',
        status: 'http_response_status_code',
      }
    : {
        requests: `${prefix}http_requests_total`,
        requestsBase: `${prefix}http_requests`,
        duration: `${prefix}http_request_duration_seconds`,
        inFlight: `${prefix}http_requests_in_flight`,
        method: 'method',
        route: 'route',
        status: 'status_code',
      };
  return {
    naming,
    prefix,
    http,
    overflow: `${prefix}promwire_label_overflow_total`,
    clusterTimeouts: 'promwire_cluster_worker_timeouts_total',
    ml: {
      inference: `${prefix}ml_inference_duration_seconds`,
      inFlight: `${prefix}ml_inference_in_flight`,
      batch: `${prefix}ml_inference_batch_size`,
      load: `${prefix}ml_model_load_duration_seconds`,
    },
    genai: {
      requests: `${prefix}gen_ai_server_requests_total`,
      requestsBase: `${prefix}gen_ai_server_requests`,
      duration: `${prefix}gen_ai_server_request_duration_seconds`,
      ttft: `${prefix}gen_ai_server_time_to_first_token_seconds`,
      tpot: `${prefix}gen_ai_server_time_per_output_token_seconds`,
      tokens: `${prefix}gen_ai_server_tokens_total`,
      tokensBase: `${prefix}gen_ai_server_tokens`,
      usageMissing: `${prefix}gen_ai_server_stream_usage_missing_total`,
      inFlight: `${prefix}gen_ai_server_requests_in_flight`,
    },
  };
}
