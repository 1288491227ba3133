/**
 * Combining the workers' metrics into one exposition. Each metric is combined by the aggregator
 * it declares (`aggregator` of the clients' metrics: `sum` by default, `first`, `min`, `max`,
 * `average`, `omit`), sample by sample: one series is a sample name plus its label set, whatever
 * the order of its labels. promwire's families, counters, histograms and in-flight gauges all
 * declare `sum`.
 *
 * Counters and histograms (samples of a `counter` or `histogram` metric aggregated by `sum`) are
 * cumulative: {@link Retained} keeps what departed workers had counted, so that a sum never goes
 * back when a worker exits or is replaced (see `cluster-metrics.ts`).
 */
import type { MetricObjectWithValues, MetricSample } from '../prom';
import { decodeValue } from './protocol';

type Labels = MetricSample['labels'];

/** The canonical key of a series: sample name and labels, in label-name order. */
export function seriesKey(sampleName: string, labels: Labels | undefined): string {
  let key = sampleName;
  if (labels === undefined) return key;
  const names = Object.keys(labels);
  for (let i = 1; i < names.length; i++) {
    if (names[i - 1]! > names[i]!) {
      names.sort();
      break;
    }
  }
  for (const name of names) {
    const value = labels[name];
    if (value !== undefined) key += `\u0000${name}\u0001${value}`;
  }
  return key;
}

/** True for the samples that only ever grow in one process: worth keeping when it exits. */
export function isCumulative(metric: Pick<MetricObjectWithValues, 'type' | 'aggregator'>): boolean {
  return (metric.type === 'counter' || metric.type === 'histogram') && (metric.aggregator ?? 'sum') === 'sum';
}

interface Series {
  labels: Labels;
  metricName: string | undefined;
  value: number;
  count: number;
}

interface Family {
  meta: Omit<MetricObjectWithValues, 'values'>;
  series: Map<string, Series>;
}

/**
 * Accumulates metrics from several sources, then answers them combined ({@link result}).
 * Sources are added in a fixed order (workers by id), so `first` is deterministic.
 */
export class Combiner {
  private readonly families = new Map<string, Family>();

  /** Adds one source's metrics; with `cumulativeOnly`, only its counters and histograms. */
  add(metrics: readonly MetricObjectWithValues[], cumulativeOnly = false): void {
    for (const metric of metrics) {
      if (cumulativeOnly && !isCumulative(metric)) continue;
      const family = this.familyOf(metric);
      if (family === undefined) continue;
      const how = family.meta.aggregator;
      for (const sample of metric.values) {
        const key = seriesKey(sample.metricName ?? metric.name, sample.labels);
        const value = decodeValue(sample.value);
        const series = family.series.get(key);
        if (series === undefined) {
          family.series.set(key, { labels: sample.labels, metricName: sample.metricName, value, count: 1 });
          continue;
        }
        series.count++;
        if (how === 'sum' || how === 'average') series.value += value;
        else if (how === 'min') series.value = Math.min(series.value, value);
        else if (how === 'max') series.value = Math.max(series.value, value);
        // 'first' keeps the value it has.
      }
    }
  }

  /**
   * Adds series as they are, each one new: the primary's own metrics under their own label.
   * A metric whose name the workers use with another type is left out (it could not share
   * their family).
   */
  addSeparate(metrics: readonly MetricObjectWithValues[]): void {
    for (const metric of metrics) {
      const family = this.familyOf({ ...metric, aggregator: 'sum' });
      if (family === undefined || family.meta.type !== metric.type) continue;
      for (const sample of metric.values) {
        const key = seriesKey(sample.metricName ?? metric.name, sample.labels);
        if (!family.series.has(key)) {
          family.series.set(key, { labels: sample.labels, metricName: sample.metricName, value: decodeValue(sample.value), count: 1 });
        }
      }
    }
  }

  /** The combined metrics, in the order their names were first seen. */
  result(): MetricObjectWithValues[] {
    const out: MetricObjectWithValues[] = [];
    for (const { meta, series } of this.families.values()) {
      const values: MetricSample[] = [];
      const average = meta.aggregator === 'average';
      for (const s of series.values()) {
        const sample: MetricSample = { labels: s.labels, value: average ? s.value / s.count : s.value };
        if (s.metricName !== undefined) sample.metricName = s.metricName;
        values.push(sample);
      }
      out.push({ ...meta, values });
    }
    return out;
  }

  private familyOf(metric: MetricObjectWithValues): Family | undefined {
    let family = this.families.get(metric.name);
    if (family === undefined) {
      const aggregator = metric.aggregator ?? 'sum';
      if (aggregator === 'omit') return undefined;
      family = { meta: { name: metric.name, help: metric.help, type: metric.type, aggregator }, series: new Map() };
      this.families.set(metric.name, family);
    }
    return family;
  }
}

/**
 * The counters and histograms of workers that have gone, summed: added to every later scrape so
 * that a cumulative series keeps at least what it had reached.
 */
export class Retained {
  private combiner = new Combiner();
  private metrics: MetricObjectWithValues[] = [];

  /** Keeps a departed worker's last values (only its counters and histograms). */
  add(metrics: readonly MetricObjectWithValues[]): void {
    this.combiner.add(metrics, true);
    this.metrics = this.combiner.result();
  }

  /** What departed workers counted, as one source. */
  get values(): readonly MetricObjectWithValues[] {
    return this.metrics;
  }
}
