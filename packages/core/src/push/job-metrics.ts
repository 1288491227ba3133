/**
 * The metrics a batch job's run pushes besides the registry (the Prometheus instrumentation
 * guide's "batch jobs"): when it last succeeded, when it last failed, and how long it ran.
 * Alert on `time() - job_last_success_timestamp_seconds` growing past the job's period.
 */
import type { MetricObjectWithValues } from '../prom';

export const LAST_SUCCESS = 'job_last_success_timestamp_seconds';
export const LAST_FAILURE = 'job_last_failure_timestamp_seconds';
export const DURATION = 'job_duration_seconds';

function gauge(name: string, help: string, value: number): MetricObjectWithValues {
  return { name, help, type: 'gauge', aggregator: 'sum', values: [{ labels: {}, value }] };
}

/**
 * The run's metrics: its duration, and the time it ended as last success or last failure.
 * A failed run's push carries no last-success time, so the gateway keeps the one of the last
 * run that succeeded (it is pushed with POST, which replaces only the metrics it carries).
 * Metrics whose name `taken` has (the registry's own) are left out.
 */
export function jobMetrics(succeeded: boolean, seconds: number, endedAt: number, taken: (name: string) => boolean): MetricObjectWithValues[] {
  const metrics = [
    succeeded
      ? gauge(LAST_SUCCESS, 'When the job last succeeded, in seconds since the epoch.', endedAt)
      : gauge(LAST_FAILURE, 'When the job last failed, in seconds since the epoch.', endedAt),
    gauge(DURATION, 'How long the last run of the job took, in seconds.', seconds),
  ];
  return metrics.filter((m) => !taken(m.name));
}
