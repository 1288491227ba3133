/**
 * A histogram users create for their own measurements, with promwire's columnar storage and,
 * on request, native buckets: the same family the HTTP recorder uses, registered in a prom-client
 * or @prometheus-io/client registry like any other metric.
 */
import { type ClientName, type Registry, isRegistry, registryFor } from '../prom';
import { HistogramFamily } from '../histogram';
import { isValidLabelName, isValidMetricName } from '../labels';
import { DEFAULT_DURATION_BUCKETS, NATIVE_KEYS, checkEntryKeys, describe, optionError, resolveBuckets } from '../options';
import { indexFor, registerFamily } from '../registration';
import { type NativeHistogramOptions, nativeSettingsRecord, resolveNativeSettings } from './native-options';

/** Options of {@link createHistogram}. */
export interface HistogramOptions extends NativeHistogramOptions {
  /** Metric name, e.g. `job_duration_seconds`. */
  name: string;
  /** HELP text. */
  help: string;
  /** Label names, in the order {@link HistogramMetric.labels} takes their values. Default none. */
  labelNames?: readonly string[];
  /** Classic upper bounds (what the text formats show). Default: the HTTP duration buckets. */
  buckets?: readonly number[];
  /** Registry to register in. Default: the client's global registry. */
  registry?: Registry;
  /** Which client's global registry to use when no `registry` is given. */
  client?: ClientName;
}

/** One series of a {@link HistogramMetric}. */
export interface HistogramSeries {
  /** Records one value (seconds, bytes: the unit the name says). Throws a `TypeError` on a non-number. */
  observe(value: number): void;
}

/** A histogram made by {@link createHistogram}. */
export interface HistogramMetric extends HistogramSeries {
  /** The series of these label values, in `labelNames` order; keep it to observe without a lookup. */
  labels(...values: string[]): HistogramSeries;
  /** Empties every series (native buckets back to the configured schema and zero threshold). */
  reset(): void;
}

const PKG = '@promwire/core';
const KEYS = ['name', 'help', 'labelNames', 'buckets', 'registry', 'client', ...NATIVE_KEYS];

/**
 * A histogram in `registry`, classic by default; `histograms: 'native'` or `'both'` adds native
 * buckets to the protobuf exposition (see {@link NativeHistogramOptions}). Creating it again
 * with the same options answers the same histogram; other options, or a name taken by another
 * metric, throw a `TypeError`, as do bad options.
 *
 * @example
 * const jobs = createHistogram({ name: 'job_duration_seconds', help: 'Job run time.', labelNames: ['queue'], histograms: 'native', registry });
 * jobs.labels('emails').observe(0.42);
 */
export function createHistogram(options: HistogramOptions): HistogramMetric {
  const o = checkEntryKeys(PKG, 'createHistogram', options, KEYS);
  const { name, help, labelNames = [], registry } = o as Partial<HistogramOptions>;
  if (typeof name !== 'string' || !isValidMetricName(name)) {
    throw optionError(PKG, `createHistogram: name must be a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), got ${describe(name)}`);
  }
  if (typeof help !== 'string') throw optionError(PKG, `createHistogram: help must be a string, got ${describe(help)}`);
  if (!Array.isArray(labelNames) || labelNames.some((l) => typeof l !== 'string' || !isValidLabelName(l) || l === 'le')) {
    throw optionError(PKG, `createHistogram: labelNames must be an array of valid label names other than "le", got ${describe(labelNames)}`);
  }
  if (registry !== undefined && !isRegistry(registry)) {
    throw optionError(PKG, `createHistogram: registry must be a prom-client or @prometheus-io/client Registry, got ${describe(registry)}`);
  }
  const target = registryFor(PKG, registry, o.client);
  const native = resolveNativeSettings(PKG, o);
  const family = new HistogramFamily(name, help, indexFor(target, name, labelNames), resolveBuckets(PKG, o, 'buckets', DEFAULT_DURATION_BUCKETS), native);
  family.settings = nativeSettingsRecord(native);
  const registered = registerFamily(PKG, target, family);
  const series = (values: readonly string[]): HistogramSeries => {
    if (values.length !== labelNames.length || values.some((v) => typeof v !== 'string')) {
      throw new TypeError(`${PKG}: ${name} takes ${labelNames.length} label value(s) (${labelNames.join(', ')}), got ${describe(values)}`);
    }
    const id = registered.index.id(values);
    return { observe: (value) => registered.observe(id, checked(name, value)) };
  };
  const unlabelled = labelNames.length === 0 ? series([]) : undefined;
  return {
    labels: (...values) => series(values),
    observe(value) {
      if (unlabelled === undefined) throw new TypeError(`${PKG}: ${name} has labels (${labelNames.join(', ')}): observe through labels(…)`);
      unlabelled.observe(value);
    },
    reset: () => registered.reset(),
  };
}

function checked(name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${PKG}: ${name}.observe takes a number, got ${describe(value)}`);
  return value;
}
