/**
 * The messages a cluster primary and its workers exchange over the IPC channel `cluster` opens.
 * promwire's own, not a client's (`prom-client` and `@prometheus-io/client` each have theirs,
 * and both fail a whole scrape when one worker is late): every message is an object whose
 * `type` starts with `@promwire/cluster:`, so the app's own messages pass untouched.
 *
 * - primary → worker `hello`: sent to every connected worker when the primary starts; a worker
 *   that answers metrics replies `ready`.
 * - worker → primary `ready`: also sent when a worker starts answering; from then on the
 *   primary asks it at every scrape.
 * - primary → worker `collect` { id }; worker → primary `metrics` { id, metrics } or
 *   `error` { id, message }.
 * - worker → primary `final` { metrics }: the worker stops answering (it is about to exit);
 *   these are its last values, kept by the primary as a departed worker's.
 *
 * `metrics` are the worker registries' `getMetricsAsJSON()`, with non-finite values sent as
 * strings (`'NaN'`, `'Infinity'`, `'-Infinity'`): the channel's default JSON serialization would
 * turn them into null.
 */
import type { MetricObjectWithValues } from '../prom';

const PREFIX = '@promwire/cluster:';
export const HELLO = `${PREFIX}hello`;
export const READY = `${PREFIX}ready`;
export const COLLECT = `${PREFIX}collect`;
export const METRICS = `${PREFIX}metrics`;
export const ERROR = `${PREFIX}error`;
export const FINAL = `${PREFIX}final`;

export type ToWorker = { type: typeof HELLO } | { type: typeof COLLECT; id: number };

export type ToPrimary =
  | { type: typeof READY }
  | { type: typeof METRICS; id: number; metrics: MetricObjectWithValues[] }
  | { type: typeof ERROR; id: number; message: string }
  | { type: typeof FINAL; metrics: MetricObjectWithValues[] };

/** True for a message of this protocol. */
export function isOurs(message: unknown): message is { type: string; id?: unknown; metrics?: unknown } {
  return (
    typeof message === 'object' && message !== null &&
    typeof (message as { type?: unknown }).type === 'string' &&
    (message as { type: string }).type.startsWith(PREFIX)
  );
}

/**
 * The metrics with non-finite sample values as strings. What `get()` answers may be a client's
 * own objects, so a metric with such a value is copied, never changed.
 */
export function encodeValues(metrics: readonly MetricObjectWithValues[]): MetricObjectWithValues[] {
  return metrics.map((metric) =>
    metric.values.every((s) => Number.isFinite(s.value))
      ? metric
      : { ...metric, values: metric.values.map((s) => (Number.isFinite(s.value) ? s : { ...s, value: String(s.value) as unknown as number })) },
  );
}

/** A sample value as sent: a number, or a non-finite one as a string. */
export function decodeValue(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}
