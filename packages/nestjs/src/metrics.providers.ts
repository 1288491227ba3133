/**
 * Application metrics as Nest providers, in the module's registry: declare one with
 * `makeCounterProvider({ name, help, labelNames })` in a module's `providers`, inject it with
 * `@InjectMetric(name)`. A metric of the same name, kind and labels already in the registry
 * (a second app or testing module on the same registry) is reused, never registered twice.
 */
import type { FactoryProvider } from '@nestjs/common';
import { Counter, Gauge, Histogram, type Registry, Summary } from '@promwire/core';
import { METRICS_REGISTRY, PKG } from './metrics.constants';

type Config<C extends abstract new (config: never) => unknown> = Omit<ConstructorParameters<C>[0], 'registers'>;

/** Options of {@link makeCounterProvider}: prom-client's, without `registers`. */
export type CounterOptions<T extends string = string> = Config<typeof Counter<T>>;
/** Options of {@link makeGaugeProvider}: prom-client's, without `registers`. */
export type GaugeOptions<T extends string = string> = Config<typeof Gauge<T>>;
/** Options of {@link makeHistogramProvider}: prom-client's, without `registers`. */
export type HistogramOptions<T extends string = string> = Config<typeof Histogram<T>>;
/** Options of {@link makeSummaryProvider}: prom-client's, without `registers`. */
export type SummaryOptions<T extends string = string> = Config<typeof Summary<T>>;

/** The injection token of the application metric `name`, as `@InjectMetric(name)` uses it. */
export function getMetricToken(name: string): string {
  return `PROMWIRE_METRIC_${name}`;
}

/**
 * A provider of a prom-client `Counter` registered in the module's registry.
 *
 * @example
 * providers: [makeCounterProvider({ name: 'orders_total', help: 'Orders placed.', labelNames: ['kind'] })]
 */
export function makeCounterProvider<T extends string = string>(options: CounterOptions<T>): FactoryProvider<Counter<T>> {
  return metricProvider('counter', Counter as new (config: CounterOptions<T>) => Counter<T>, options);
}

/** A provider of a prom-client `Gauge` registered in the module's registry. */
export function makeGaugeProvider<T extends string = string>(options: GaugeOptions<T>): FactoryProvider<Gauge<T>> {
  return metricProvider('gauge', Gauge as new (config: GaugeOptions<T>) => Gauge<T>, options);
}

/** A provider of a prom-client `Histogram` registered in the module's registry. */
export function makeHistogramProvider<T extends string = string>(options: HistogramOptions<T>): FactoryProvider<Histogram<T>> {
  return metricProvider('histogram', Histogram as new (config: HistogramOptions<T>) => Histogram<T>, options);
}

/** A provider of a prom-client `Summary` registered in the module's registry. */
export function makeSummaryProvider<T extends string = string>(options: SummaryOptions<T>): FactoryProvider<Summary<T>> {
  return metricProvider('summary', Summary as new (config: SummaryOptions<T>) => Summary<T>, options);
}

interface MetricConfig {
  name: string;
  help: string;
  labelNames?: readonly string[];
}

function metricProvider<O extends MetricConfig, M>(
  kind: string,
  Kind: new (config: O & { registers: Registry[] }) => M,
  options: O,
): FactoryProvider<M> {
  if (typeof options !== 'object' || options === null || typeof options.name !== 'string') {
    throw new TypeError(`${PKG}: a ${kind} needs options with a string name`);
  }
  return {
    provide: getMetricToken(options.name),
    inject: [METRICS_REGISTRY],
    useFactory: (registry: Registry) => metricIn(registry, kind, Kind, options),
  };
}

function metricIn<O extends MetricConfig, M>(
  registry: Registry,
  kind: string,
  Kind: new (config: O & { registers: Registry[] }) => M,
  options: O,
): M {
  const existing = registry.getSingleMetric(options.name) as unknown;
  if (existing !== undefined) {
    const labels = [...(options.labelNames ?? [])].sort().join(',');
    const existingLabels = [...((existing as { labelNames?: readonly string[] }).labelNames ?? [])].sort().join(',');
    if (existing instanceof Kind && labels === existingLabels) return existing;
    throw new TypeError(
      `${PKG}: metric "${options.name}" is already registered in this registry with another kind or labels ` +
        `(wanted a ${kind} with labels [${labels}])`,
    );
  }
  try {
    return new Kind({ ...options, registers: [registry] });
  } catch (error) {
    throw new TypeError(`${PKG}: ${kind} "${options.name}": ${error instanceof Error ? error.message : String(error)}`);
  }
}
