/**
 * The messages a cluster primary and its workers exchange over the IPC channel `cluster` opens.
 * promwire's own, not a client's (`prom-client` and `@prometheus-io/client` each have theirs,
 * and both fail a whole scrape when one worker is late): every message is an object whose
 * `type` starts with `@promwire/cluster/1:`, so the app's own messages pass untouched.
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
 * `metrics` are the worker registries' `getMetricsAsJSON()` in a compact form
 * ({@link WireMetric}): a third of the JSON, parsed in a tenth of the time, and each series' label
 * names put in one canonical order by the worker, so the primary combines series without sorting.
 * The `/1` in the type prefix is the form's version: a primary and workers of different promwire
 * versions ignore each other's messages rather than misread them.
 */
import type { MetricObjectWithValues } from '../prom';

const PREFIX = '@promwire/cluster/1:';
export const HELLO = `${PREFIX}hello`;
export const READY = `${PREFIX}ready`;
export const COLLECT = `${PREFIX}collect`;
export const METRICS = `${PREFIX}metrics`;
export const ERROR = `${PREFIX}error`;
export const FINAL = `${PREFIX}final`;

export type ToWorker = { type: typeof HELLO } | { type: typeof COLLECT; id: number };

export type ToPrimary =
  | { type: typeof READY }
  | { type: typeof METRICS; id: number; metrics: WireMetric[] }
  | { type: typeof ERROR; id: number; message: string }
  | { type: typeof FINAL; metrics: WireMetric[] };

/** True for a message of this protocol. */
export function isOurs(message: unknown): message is { type: string; id?: unknown; metrics?: unknown } {
  return (
    typeof message === 'object' && message !== null &&
    typeof (message as { type?: unknown }).type === 'string' &&
    (message as { type: string }).type.startsWith(PREFIX)
  );
}

/**
 * A metric as sent: its samples as rows of one flat array. Each row is the index of its label
 * names in `shapes` (names sorted), the index of its sample name in `samples` (`http_x_bucket`,
 * `http_x_sum` …), its label values in the shape's order, then its value (a non-finite value as
 * the string `'NaN'`, `'Infinity'` or `'-Infinity'`: JSON would make it null).
 */
export interface WireMetric {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  shapes: string[][];
  samples: string[];
  rows: (string | number)[];
}

/** Metrics as `get()` answers them, in the compact form. What `get()` answers is never changed. */
export function encodeMetrics(metrics: readonly MetricObjectWithValues[]): WireMetric[] {
  return metrics.map((metric) => {
    const shapes: string[][] = [];
    const shapeIds = new Map<string, number>();
    const samples: string[] = [];
    const sampleIds = new Map<string, number>();
    const rows: (string | number)[] = [];
    let lastNames: string[] | undefined;
    let shape = -1;
    for (const s of metric.values) {
      const labels = s.labels ?? {};
      const names = Object.keys(labels);
      if (!sameNames(names, lastNames)) {
        const sorted = [...names].sort();
        const key = sorted.join(',');
        shape = shapeIds.get(key) ?? -1;
        if (shape === -1) {
          shape = shapes.length;
          shapes.push(sorted);
          shapeIds.set(key, shape);
        }
        lastNames = names;
      }
      const sampleName = s.metricName ?? metric.name;
      let sample = sampleIds.get(sampleName);
      if (sample === undefined) {
        sample = samples.length;
        samples.push(sampleName);
        sampleIds.set(sampleName, sample);
      }
      rows.push(shape, sample);
      for (const name of shapes[shape]!) rows.push(labels[name] ?? '');
      rows.push(Number.isFinite(s.value) ? s.value : String(s.value));
    }
    return { name: metric.name, help: metric.help, type: String(metric.type), aggregator: metric.aggregator ?? 'sum', shapes, samples, rows };
  });
}

function sameNames(a: readonly string[], b: readonly string[] | undefined): boolean {
  if (b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A sample value as sent: a number, or a non-finite one as a string. */
export function decodeValue(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}
