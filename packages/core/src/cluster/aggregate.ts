/**
 * Combining the workers' metrics into one exposition. Each metric is combined by the aggregator
 * it declares (`aggregator` of the clients' metrics: `sum` by default, `first`, `min`, `max`,
 * `average`, `omit`), sample by sample: one series is a sample name plus its label set, whatever
 * the order its labels came in (the worker sorted them, see `WireMetric`). promwire's families,
 * counters, histograms and in-flight gauges all declare `sum`.
 *
 * Counters and histograms (samples of a `counter` or `histogram` metric aggregated by `sum`) are
 * cumulative: {@link Retained} keeps what departed workers had counted, so that a sum never goes
 * back when a worker exits or is replaced (see `cluster-metrics.ts`).
 */
import type { MetricObjectWithValues, MetricSample } from '../prom';
import { type WireMetric, decodeValue, encodeMetrics } from './protocol';

/** True for the samples that only ever grow in one process: worth keeping when it exits. */
export function isCumulative(metric: Pick<WireMetric, 'type' | 'aggregator'>): boolean {
  return (metric.type === 'counter' || metric.type === 'histogram') && metric.aggregator === 'sum';
}

/** Samples combined before the primary yields to its event loop (it also hands out the connections). */
export const ROWS_PER_TURN = 4096;

interface Series {
  /** Label names, and the row holding the values (from `at`) of the first source that had it. */
  names: readonly string[];
  rows: readonly (string | number)[];
  at: number;
  sample: string;
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

  /**
   * Adds one source's metrics; with `cumulativeOnly`, only its counters and histograms. With
   * `separate` (the primary's own metrics, under their own label), a metric is added whatever its
   * aggregator, unless the workers use its name with another type.
   */
  add(metrics: readonly WireMetric[], cumulativeOnly = false, separate = false): void {
    for (const _ of this.steps(metrics, cumulativeOnly, separate)) {
      // all in one turn
    }
  }

  /** {@link add} in turns of {@link ROWS_PER_TURN} samples, yielding to the event loop between them. */
  async addInTurns(metrics: readonly WireMetric[], cumulativeOnly = false, separate = false): Promise<void> {
    for (const _ of this.steps(metrics, cumulativeOnly, separate)) await new Promise(setImmediate);
  }

  /** Adds the samples, pausing (a `yield`) after every {@link ROWS_PER_TURN}. */
  private *steps(metrics: readonly WireMetric[], cumulativeOnly: boolean, separate: boolean): Generator<void> {
    let turn = 0;
    for (const metric of metrics) {
      if (cumulativeOnly && !isCumulative(metric)) continue;
      const family = this.familyOf(metric, separate);
      if (family === undefined) continue;
      const how = family.meta.aggregator;
      const shapeKeys = metric.shapes.map((names) => names.join('\u0001'));
      const { rows, samples, shapes } = metric;
      let i = 0;
      while (i < rows.length) {
        const shape = rows[i] as number;
        const names = shapes[shape];
        const sample = samples[rows[i + 1] as number];
        if (names === undefined || sample === undefined) break; // not our form: ignore the rest
        let key = `${sample}\u0000${shapeKeys[shape]}`;
        const at = i + 2;
        for (let j = 0; j < names.length; j++) key += `\u0000${rows[at + j]}`;
        const value = decodeValue(rows[at + names.length]);
        i = at + names.length + 1;
        if (++turn === ROWS_PER_TURN) {
          turn = 0;
          yield;
        }
        const series = family.series.get(key);
        if (series === undefined) {
          family.series.set(key, { names, rows, at, sample, value, count: 1 });
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

  /** The combined metrics, in the order their names were first seen. */
  result(): MetricObjectWithValues[] {
    const out: MetricObjectWithValues[] = [];
    for (const { meta, series } of this.families.values()) {
      const values: MetricSample[] = [];
      const average = meta.aggregator === 'average';
      for (const s of series.values()) {
        const labels: Record<string, string | number> = {};
        for (let j = 0; j < s.names.length; j++) labels[s.names[j]!] = s.rows[s.at + j]!;
        const sample: MetricSample = { labels, value: average ? s.value / s.count : s.value };
        if (s.sample !== meta.name) sample.metricName = s.sample;
        values.push(sample);
      }
      out.push({ ...meta, values });
    }
    return out;
  }

  private familyOf(metric: WireMetric, separate: boolean): Family | undefined {
    const family = this.families.get(metric.name);
    if (family !== undefined) return separate && family.meta.type !== metric.type ? undefined : family;
    if (metric.aggregator === 'omit' && !separate) return undefined;
    const meta = { name: metric.name, help: metric.help, type: metric.type, aggregator: separate ? 'sum' : metric.aggregator };
    const created: Family = { meta, series: new Map() };
    this.families.set(metric.name, created);
    return created;
  }
}

/**
 * The counters and histograms of workers that have gone, summed: added to every later scrape so
 * that a cumulative series keeps at least what it had reached.
 */
export class Retained {
  private readonly combiner = new Combiner();
  private wire: WireMetric[] = [];

  /** Keeps a departed worker's last values (only its counters and histograms). */
  add(metrics: readonly WireMetric[]): void {
    this.combiner.add(metrics, true);
    this.wire = encodeMetrics(this.combiner.result());
  }

  /** What departed workers counted, as one source. */
  get values(): readonly WireMetric[] {
    return this.wire;
  }
}
