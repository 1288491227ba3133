/**
 * The part of a Prometheus client library's API that promwire accepts and hands back, written
 * out here so that promwire's types need neither client installed: a `prom-client` 15 and an
 * `@prometheus-io/client` 0.16 registry, counter, gauge, histogram or summary both fit them.
 */

/** The client libraries promwire works with, by package name. */
export type ClientName = '@prometheus-io/client' | 'prom-client';

/** Label values of one series, by label name. */
export type LabelValues<T extends string> = Partial<Record<T, string | number>>;

/** One sample of a metric as a client's `get()` answers it. */
export interface MetricSample {
  labels: Partial<Record<string, string | number>>;
  value: number;
  metricName?: string;
  exemplar?: { labelSet?: Record<string, string | number> | null; value?: number | null; timestamp?: number } | null;
}

/** A metric as a client's `get()` answers it. */
export interface MetricObjectWithValues {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  values: MetricSample[];
}

/**
 * A metric's `get()` as the clients declare it: `type` is the string (`'counter'` …) at run
 * time, but prom-client's declarations call it an enum, so it is left open here.
 */
export interface MetricSnapshot extends Omit<MetricObjectWithValues, 'type'> {
  type: unknown;
}

/**
 * What a registry stores: anything with a `name` and a `get()` (the clients' collector
 * interface). `name` is optional here only because the clients' declared metric classes omit it.
 */
export interface Collector {
  readonly name?: string;
  get(): unknown;
}

/**
 * A registry of either client (`new Registry()`, the client's global `register`, a cluster
 * registry): the methods both clients' registries have.
 */
export interface Registry {
  /** The exposition of every registered metric, in the registry's content type. */
  metrics(): Promise<string>;
  registerMetric(metric: Collector): void;
  getMetricsAsArray(): readonly object[];
  getMetricsAsJSON(): Promise<readonly object[]>;
  getSingleMetric(name: string): object | undefined;
  getSingleMetricAsString(name: string): Promise<string>;
  removeSingleMetric(name: string): void;
  clear(): void;
  resetMetrics(): void;
  setDefaultLabels(labels: object): void;
  readonly contentType: string;
}

/** How a cluster primary combines the workers' values of a metric. */
export type Aggregator = 'omit' | 'sum' | 'first' | 'min' | 'max' | 'average';

interface MetricConfiguration<T extends string, M> {
  name: string;
  help: string;
  labelNames?: readonly T[];
  /** Registries to register in. Default: the client's global registry. */
  registers?: Registry[];
  aggregator?: Aggregator;
  /** Runs before each collection (scrape), to set values. */
  collect?: (this: M) => void | Promise<void>;
  enableExemplars?: boolean;
}

/** Configuration of a {@link Counter}. */
export type CounterConfiguration<T extends string> = MetricConfiguration<T, Counter<T>>;
/** Configuration of a {@link Gauge}. */
export type GaugeConfiguration<T extends string> = MetricConfiguration<T, Gauge<T>>;
/** Configuration of a {@link Histogram}. */
export interface HistogramConfiguration<T extends string> extends MetricConfiguration<T, Histogram<T>> {
  buckets?: number[];
}
/** Configuration of a {@link Summary}. */
export interface SummaryConfiguration<T extends string> extends MetricConfiguration<T, Summary<T>> {
  percentiles?: number[];
  maxAgeSeconds?: number;
  ageBuckets?: number;
  pruneAgedBuckets?: boolean;
  compressCount?: number;
}

/** A value with the labels of its series and, optionally, an exemplar's labels. */
export interface ValueWithExemplar<T extends string> {
  value?: number;
  labels?: LabelValues<T>;
  exemplarLabels?: LabelValues<string>;
}

/** What a metric of either client offers besides recording: its series by label values, removal, reset, its values. */
export interface LabelledMetric<T extends string, Child> {
  labels(...values: string[]): Child;
  labels(labels: LabelValues<T>): Child;
  remove(...values: string[]): void;
  remove(labels: LabelValues<T>): void;
  reset(): void;
  get(): Promise<MetricSnapshot>;
}

/** A counter of either client. */
export interface Counter<T extends string = string> extends LabelledMetric<T, { inc(value?: number): void }> {
  inc(labels: LabelValues<T>, value?: number): void;
  inc(value?: number): void;
  inc(data: ValueWithExemplar<T>): void;
}

/** A gauge of either client. */
export interface Gauge<T extends string = string> extends LabelledMetric<T, GaugeChild> {
  inc(labels: LabelValues<T>, value?: number): void;
  inc(value?: number): void;
  dec(labels: LabelValues<T>, value?: number): void;
  dec(value?: number): void;
  set(labels: LabelValues<T>, value: number): void;
  set(value: number): void;
  setToCurrentTime(labels?: LabelValues<T>): void;
  /** Starts a timer; calling the answer sets the gauge to the seconds elapsed, and returns them. */
  startTimer(labels?: LabelValues<T>): (labels?: LabelValues<T>) => number;
}

/** One series of a {@link Gauge}. */
export interface GaugeChild {
  inc(value?: number): void;
  dec(value?: number): void;
  set(value: number): void;
  setToCurrentTime(): void;
  startTimer(): () => number;
}

/** A histogram of either client. */
export interface Histogram<T extends string = string> extends LabelledMetric<T, ObserverChild> {
  observe(value: number): void;
  observe(labels: LabelValues<T>, value: number): void;
  observe(data: ValueWithExemplar<T> & { value: number }): void;
  /** Starts a timer; calling the answer observes the seconds elapsed, and returns them. */
  startTimer(labels?: LabelValues<T>): (labels?: LabelValues<T>) => number;
  zero(labels: LabelValues<T>): void;
}

/** A summary of either client. */
export interface Summary<T extends string = string> extends LabelledMetric<T, ObserverChild> {
  observe(value: number): void;
  observe(labels: LabelValues<T>, value: number): void;
  /** Starts a timer; calling the answer observes the seconds elapsed, and returns them. */
  startTimer(labels?: LabelValues<T>): (labels?: LabelValues<T>) => number;
}

/** One series of a {@link Histogram} or {@link Summary}. */
export interface ObserverChild {
  observe(value: number): void;
  startTimer(): () => void;
}

/** The metric classes, generic in their label names like the clients' own. */
export interface CounterClass {
  new <T extends string = string>(configuration: CounterConfiguration<T>): Counter<T>;
}
export interface GaugeClass {
  new <T extends string = string>(configuration: GaugeConfiguration<T>): Gauge<T>;
}
export interface HistogramClass {
  new <T extends string = string>(configuration: HistogramConfiguration<T>): Histogram<T>;
}
export interface SummaryClass {
  new <T extends string = string>(configuration: SummaryConfiguration<T>): Summary<T>;
}
