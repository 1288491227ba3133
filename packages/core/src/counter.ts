import type { MetricObjectWithValues, MetricSample } from './prom';
import { Family } from './family';
import { formatValue, header } from './format';
import { type Exemplar, exemplarText } from './exemplar';
import { type SeriesIndex, grown } from './series-index';

/** A counter family. `name` ends in `_total`; OpenMetrics output names the family without it. */
export class CounterFamily extends Family {
  /** Value per series id. Replaced when the index grows: read it through the family. */
  values: Float64Array;
  exemplars: Map<number, Exemplar> | undefined = undefined;

  constructor(name: string, help: string, index: SeriesIndex) {
    super(name, help, 'counter', index);
    this.values = new Float64Array(index.capacity);
  }

  grow(capacity: number): void {
    this.values = grown(this.values, capacity);
  }

  /**
   * Adds `n` to the series of `labels`, made on first use. The id comes first: a new series can
   * replace `values`, and `values[index.id(labels)] += n` reads `values` before the id is made,
   * so it would write to the column that was replaced.
   */
  add(labels: readonly string[], n: number): void {
    const id = this.index.id(labels);
    this.values[id]! += n;
  }

  /** Adds 1 to series `id`, with a `trace_id` exemplar when given. */
  inc(id: number, traceId?: string): void {
    this.values[id]!++;
    if (traceId !== undefined) (this.exemplars ??= new Map()).set(id, { traceId, value: 1, timestamp: Date.now() / 1000 });
  }

  reset(): void {
    this.values.fill(0);
    this.exemplars = undefined;
  }

  get(): MetricObjectWithValues {
    const size = this.index.size;
    const values: MetricSample[] = new Array(size);
    for (let id = 0; id < size; id++) values[id] = { labels: this.labelObject(id), value: this.values[id]! };
    return { name: this.familyName, help: this.help, type: 'counter', aggregator: this.aggregator, values };
  }

  write(openMetrics: boolean, extraLabels: string, from: number, to: number): string {
    const family = openMetrics ? this.familyName.replace(/_total$/, '') : this.familyName;
    const sample = openMetrics ? `${family}_total` : this.familyName;
    let out = from > 0 ? '' : header(family, this.help, 'counter', openMetrics);
    const exemplars = openMetrics ? this.exemplars : undefined;
    for (let id = from; id < to; id++) {
      const labels = this.labels(id, extraLabels);
      out += `${sample}${labels === '' ? '' : `{${labels}}`} ${formatValue(this.values[id]!)}`;
      const ex = exemplars?.get(id);
      if (ex !== undefined) out += exemplarText(ex);
      out += '\n';
    }
    return out;
  }
}
