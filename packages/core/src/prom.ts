/**
 * The one seam between promwire and a Prometheus client library. Everything else in promwire
 * reaches the client through here (and the `client/` folder beside it). Two clients are
 * supported, both optional peers, loaded by name only when needed: `prom-client` 15 and its
 * successor `@prometheus-io/client` 0.16. The registry's own library is used for anything
 * library-specific (default metrics); the rest only needs a registry's common interface.
 */
import type {
  ClientName, Collector, Counter as CounterOf, CounterClass, Gauge as GaugeOf, GaugeClass, Histogram as HistogramOf,
  HistogramClass, MetricObjectWithValues, Registry, Summary as SummaryOf, SummaryClass,
} from './client/types';
import {
  type Client, type ClientChoice, CLIENT_ENV, CLIENT_NAMES, checkClientName, chooseDefaultClient, clientOfRegistry,
  installedClients, noClientError, requireClient, warnOncePerProcess,
} from './client/select';
import { lazyMetricClass, type MetricClassContext } from './client/metric-classes';

export type { ClientName, MetricObjectWithValues, MetricSample, Registry } from './client/types';
export { CLIENT_ENV, CLIENT_NAMES };

/** The default client's sources: the `client` option given, `PROMWIRE_CLIENT`, a warning once per process. */
function choiceOf(option: unknown): ClientChoice {
  return { option, env: process.env[CLIENT_ENV], warn: warnOncePerProcess };
}

function installed(): Client[] {
  return installedClients(requireClient);
}

/** A bucket layout of `count` upper bounds: `start`, `start * factor`, `start * factor²` … */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start * factor ** i);
}

/** A metric as a registry sees it: anything with a name and a `get()`. */
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
  registry.registerMetric(metric as Collector);
}

/**
 * The registry's default labels (`registry.setDefaultLabels`). Both clients keep them in a
 * field they do not expose; their own serializers read the same field.
 */
export function defaultLabelsOf(registry: Registry): Readonly<Record<string, string | number>> {
  return (registry as unknown as { _defaultLabels?: Record<string, string | number> })._defaultLabels ?? {};
}

export function isRegistry(value: unknown): value is Registry {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Registry).getMetricsAsArray === 'function' &&
    typeof (value as Registry).registerMetric === 'function' &&
    typeof (value as Registry).getSingleMetric === 'function'
  );
}

/**
 * The registry an entry point records into or serves: `registry` when given (checked against
 * `client` if that is given too), else the default client's global registry. Throws a
 * `TypeError` prefixed with `pkg` on a bad `client`, or a `registry` of the other client.
 */
export function registryFor(pkg: string, registry: Registry | undefined, client: unknown): Registry {
  if (registry === undefined) return chooseDefaultClient(pkg, installed(), choiceOf(client)).module.register;
  if (client !== undefined) {
    const wanted = checkClientName(pkg, client, 'client');
    const owner = clientOfRegistry(registry, installed());
    if (owner !== undefined && owner.name !== wanted) {
      throw new TypeError(`${pkg}: registry is a ${owner.name} Registry but client is '${wanted}'; pass one or the other`);
    }
  }
  return registry;
}

/**
 * The global registry of a client: `client`, else the default one (`PROMWIRE_CLIENT`, else
 * the one installed; with both installed, `@prometheus-io/client` and a warning once per
 * process). Throws when no client is installed, naming both.
 *
 * @example
 * const registry = defaultRegistry(); // where promwire records when given no registry
 * new Counter({ name: 'jobs_total', help: 'Jobs run.', registers: [registry] });
 */
export function defaultRegistry(client?: ClientName): Registry {
  return registryFor('@promwire/core', undefined, client);
}

/**
 * Registers the client's default process metrics once per registry, with the registry's own
 * library (or, for a registry of no installed copy, the default client's).
 */
export function ensureDefaultMetrics(registry: Registry, pkg = '@promwire/core'): void {
  if (registry.getSingleMetric('process_cpu_user_seconds_total') !== undefined) return;
  const clients = installed();
  if (clients.length === 0) {
    throw new Error(`${noClientError(pkg).message} Or pass defaultMetrics: false.`);
  }
  const client = clientOfRegistry(registry, clients) ?? chooseDefaultClient(pkg, clients, choiceOf(undefined));
  client.module.collectDefaultMetrics({ register: registry });
}

const metricClassContext: MetricClassContext = { load: requireClient, choice: () => choiceOf(undefined) };

/**
 * The client's metric classes, for application metrics in the same registry as promwire's
 * (pass `registers: [registry]`). Each builds the class of the client that owns
 * `registers[0]`, or of the default client when no registry is given.
 *
 * @example
 * const orders = new Counter({ name: 'orders_total', help: 'Orders placed.', labelNames: ['kind'], registers: [registry] });
 * orders.inc({ kind: 'online' });
 */
export const Counter = lazyMetricClass('Counter', metricClassContext) as CounterClass;
/** See {@link Counter}. */
export const Gauge = lazyMetricClass('Gauge', metricClassContext) as GaugeClass;
/** See {@link Counter}. */
export const Histogram = lazyMetricClass('Histogram', metricClassContext) as HistogramClass;
/** See {@link Counter}. */
export const Summary = lazyMetricClass('Summary', metricClassContext) as SummaryClass;
export type Counter<T extends string = string> = CounterOf<T>;
export type Gauge<T extends string = string> = GaugeOf<T>;
export type Histogram<T extends string = string> = HistogramOf<T>;
export type Summary<T extends string = string> = SummaryOf<T>;
