/**
 * The messages of `proto/metrics.proto` as plain objects, in protobufjs's camel-case field names:
 * what the protobuf renderer builds and protobufjs encodes; and the pieces both kinds of metric
 * (promwire's families, client metrics' `get()`) build them from.
 */

/** `MetricType` numbers by the type names registries use. */
export const TYPES: Readonly<Record<string, number>> = { counter: 0, gauge: 1, summary: 2, untyped: 3, histogram: 4 };

export interface LabelPair {
  name: string;
  value: string;
}

export interface Timestamp {
  seconds: number;
  nanos: number;
}

export interface Exemplar {
  label: LabelPair[];
  value: number;
  timestamp: Timestamp | undefined;
}

export interface Bucket {
  cumulativeCount: number;
  upperBound: number;
  exemplar: Exemplar | undefined;
}

export interface BucketSpan {
  offset: number;
  length: number;
}

export interface Histogram {
  sampleCount: number;
  sampleSum: number;
  bucket: Bucket[];
  schema?: number;
  zeroThreshold?: number;
  zeroCount?: number;
  negativeSpan?: BucketSpan[];
  negativeDelta?: number[];
  positiveSpan?: BucketSpan[];
  positiveDelta?: number[];
  exemplars?: Exemplar[];
}

export interface Quantile {
  quantile: number;
  value: number;
}

export interface Metric {
  label: LabelPair[];
  counter?: { value: number; exemplar: Exemplar | undefined };
  gauge?: { value: number };
  untyped?: { value: number };
  summary?: { sampleCount: number; sampleSum: number; quantile: Quantile[] };
  histogram?: Histogram;
}

/** A family's header and its series, built one series at a time as they are encoded. */
export interface FamilyMessage {
  name: string;
  help: string;
  type: number;
  /**
   * The series, each valid only until the next is asked for: a promwire family fills one
   * message object in for every series, so a consumer encodes each before moving on.
   */
  metric: Iterable<Metric>;
  /** How many series `metric` holds (a promwire family may gain series while it is written). */
  size(): number;
}

/** Default labels of a registry, by name. */
export type Defaults = Readonly<Record<string, string | number>>;

/** A series' label pairs: its own, then each default label it does not have. */
export function pairs(names: readonly string[], values: readonly string[], defaults: Defaults): LabelPair[] {
  const out: LabelPair[] = [];
  for (let i = 0; i < names.length; i++) out.push({ name: names[i]!, value: values[i] ?? '' });
  for (const name of Object.keys(defaults)) {
    if (!names.includes(name)) out.push({ name, value: String(defaults[name]) });
  }
  return out;
}

/** A promwire exemplar: its trace id, value and time. */
export function exemplarOf(ex: { traceId: string; value: number; timestamp: number }): Exemplar {
  return { label: [{ name: 'trace_id', value: ex.traceId }], value: ex.value, timestamp: timestampOf(ex.timestamp) };
}

/** A time in seconds as a protobuf Timestamp. */
export function timestampOf(seconds: number): Timestamp {
  const whole = Math.floor(seconds);
  return { seconds: whole, nanos: Math.round((seconds - whole) * 1e9) };
}
