/**
 * The messages of `proto/metrics.proto` as plain objects, in protobufjs's camel-case field names:
 * what the protobuf renderer builds and protobufjs encodes.
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
