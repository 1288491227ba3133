import type { MetricObjectWithValues, MetricSample } from './prom';
import { Family } from './family';
import { formatValue, header } from './format';
import { type SeriesIndex, grown } from './series-index';

/** A gauge family. */
export class GaugeFamily extends Family {
  /** Value per series id. Replaced when the index grows: read it through the family. */
  values: Float64Array;

  constructor(name: string, help: string, index: SeriesIndex) {
    super(name, help, 'gauge', index);
    this.values = new Float64Array(index.capacity);
  }

  grow(capacity: number): void {
    this.values = grown(this.values, capacity);
  }

  /** Sets the series of `labels`, made on first use (the id first: see `CounterFamily.add`). */
  set(labels: readonly string[], value: number): void {
    const id = this.index.id(labels);
    this.values[id] = value;
  }

  reset(): void {
    this.values.fill(0);
  }

  get(): MetricObjectWithValues {
    const size = this.index.size;
    const values: MetricSample[] = new Array(size);
    for (let id = 0; id < size; id++) values[id] = { labels: this.labelObject(id), value: this.values[id]! };
    return { name: this.familyName, help: this.help, type: 'gauge', aggregator: this.aggregator, values };
  }

  write(openMetrics: boolean, extraLabels: string, from: number, to: number): string {
    let out = from > 0 ? '' : header(this.familyName, this.help, 'gauge', openMetrics);
    for (let id = from; id < to; id++) {
      const labels = this.labels(id, extraLabels);
      out += `${this.familyName}${labels === '' ? '' : `{${labels}}`} ${formatValue(this.values[id]!)}\n`;
    }
    return out;
  }
}
