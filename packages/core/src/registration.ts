/**
 * Get-or-create of promwire families on a registry. Creating the same metric twice with the
 * same configuration returns the first family (two middlewares, hot reload, two test apps);
 * a different configuration, or a name taken by other code, is one clear error naming the
 * metric and what differs. prom-client's own "already registered" error never surfaces.
 */
import { type Registry, findMetric, registerMetric } from './prom';
import { type Family, isFamily } from './family';
import { HistogramFamily } from './histogram';
import { optionError } from './options';
import { SeriesIndex } from './series-index';
import { CounterFamily } from './counter';
import { OVERFLOW_METRIC } from './naming';

/**
 * Registers `family` in `registry` (its columns then grow with its index), or answers the
 * identical family already there.
 * `bucketsOption` names the option behind a histogram's buckets, for the error message.
 */
export function registerFamily<F extends Family>(
  pkg: string,
  registry: Registry,
  family: F,
  bucketsOption = 'buckets',
): F {
  const existing = findMetric(registry, family.name);
  if (existing === undefined) {
    registerMetric(registry, family);
    family.index.attach(family);
    return family;
  }
  if (!isFamily(existing)) {
    throw optionError(
      pkg,
      `a metric named "${family.name}" is already registered in this registry by other code; ` +
        'give promwire a different `prefix` or `registry`',
    );
  }
  const difference = differenceOf(existing, family, bucketsOption);
  if (difference !== undefined) {
    throw optionError(
      pkg,
      `metric "${family.name}" is already registered in this registry with a different ${difference}; ` +
        'use the same options for every instance on one registry, or another `registry` or `prefix`',
    );
  }
  return existing as F;
}

/**
 * The series index a new family named `name` should use: the index of the promwire family of
 * that name already in `registry` when it has the same label names (so a second recorder on one
 * registry writes into the same series and shares the `maxLabelValues` allowance), else a new
 * one. {@link registerFamily} then reuses the family or reports what differs.
 */
export function indexFor(registry: Registry, name: string, labelNames: readonly string[], maxLabelValues = Infinity): SeriesIndex {
  const existing = findMetric(registry, name);
  return isFamily(existing) && existing.labelNames.join() === labelNames.join()
    ? existing.index
    : new SeriesIndex(labelNames, maxLabelValues);
}

/**
 * `promwire_label_overflow_total{metric, label}` (after `prefix`) in `registry`, shared by every
 * recorder there: how many label values were recorded as `__overflow__`, by family and label.
 */
export function overflowCounter(pkg: string, registry: Registry, prefix: string): CounterFamily {
  const name = `${prefix}${OVERFLOW_METRIC}`;
  return registerFamily(
    pkg, registry,
    new CounterFamily(name, 'Label values recorded as __overflow__ because the label reached maxLabelValues.', indexFor(registry, name, ['metric', 'label'])),
  );
}

function differenceOf(a: Family, b: Family, bucketsOption: string): string | undefined {
  if (a.type !== b.type) return `type (${a.type}, asked for ${b.type})`;
  if (a.labelNames.join() !== b.labelNames.join()) {
    return `label set, \`labels\` option ([${a.labelNames.join(', ')}], asked for [${b.labelNames.join(', ')}])`;
  }
  if (a instanceof HistogramFamily && b instanceof HistogramFamily && a.buckets.join() !== b.buckets.join()) {
    return `\`${bucketsOption}\` option ([${a.buckets.join(', ')}], asked for [${b.buckets.join(', ')}])`;
  }
  for (const key of new Set([...Object.keys(a.settings), ...Object.keys(b.settings)])) {
    if (a.settings[key] !== b.settings[key]) return `\`${key}\` option (${String(a.settings[key])}, asked for ${String(b.settings[key])})`;
  }
  if (a.help !== b.help) return 'help text';
  return undefined;
}
