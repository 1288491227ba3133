/**
 * The one module that imports prom-client. Everything else in promwire reaches the client
 * library through here, so moving to another client (for instance `@prometheus-io/client`)
 * is a change to this file alone.
 */
import * as client from 'prom-client';

export type Registry = client.Registry;

/** One sample of a metric as prom-client's `get()` answers it. */
export interface MetricSample {
  labels: Partial<Record<string, string | number>>;
  value: number;
  metricName?: string;
  exemplar?: { labelSet?: Record<string, string | number> | null; value?: number | null; timestamp?: number } | null;
}

/** A metric as prom-client's `get()` answers it. */
export interface MetricObjectWithValues {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  values: MetricSample[];
}

/** prom-client's default registry, used when an option gives none. */
export const globalRegistry: Registry = client.register;

export const exponentialBuckets = client.exponentialBuckets;

/** A metric as prom-client's registry sees it: anything with a name and a `get()`. */
export interface RegisteredMetric {
  name: string;
  help: string;
  type: string;
  get(): Promise<MetricObjectWithValues> | MetricObjectWithValues;
}

export function metricsOf(registry: Registry): RegisteredMetric[] {
  return registry.getMetricsAsArray() as unknown as RegisteredMetric[];
}

export function findMetric(registry: Registry, name: string): unknown {
  return registry.getSingleMetric(name);
}

export function registerMetric(registry: Registry, metric: RegisteredMetric): void {
  registry.registerMetric(metric as unknown as client.Metric);
}

/**
 * The registry's default labels (`registry.setDefaultLabels`). prom-client keeps them in a
 * field it does not expose; its own serializer reads the same field.
 */
export function defaultLabelsOf(registry: Registry): Readonly<Record<string, string | number>> {
  return (registry as unknown as { _defaultLabels?: Record<string, string | number> })._defaultLabels ?? {};
}

/** Registers prom-client's default process metrics once per registry. */
export function ensureDefaultMetrics(registry: Registry): void {
  if (registry.getSingleMetric('process_cpu_user_seconds_total') !== undefined) return;
  client.collectDefaultMetrics({ register: registry });
}

export function isRegistry(value: unknown): value is Registry {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Registry).getMetricsAsArray === 'function' &&
    typeof (value as Registry).registerMetric === 'function'
  );
}

/**
 * prom-client's metric classes, for application metrics that live in the same registry as
 * promwire's (pass `registers: [registry]`).
 */
export const Counter = client.Counter;
export const Gauge = client.Gauge;
export const Histogram = client.Histogram;
export const Summary = client.Summary;
export type Counter<T extends string = string> = client.Counter<T>;
export type Gauge<T extends string = string> = client.Gauge<T>;
export type Histogram<T extends string = string> = client.Histogram<T>;
export type Summary<T extends string = string> = client.Summary<T>;
