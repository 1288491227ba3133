import type { MetricObjectWithValues, MetricSample } from './prom';
import { Family } from './family';
import { braces, formatValue, header } from './format';
import { type Exemplar, exemplarText } from './exemplar';

/** One histogram series: per-bucket counts (not cumulative; the last slot is +Inf), sum, count. */
export class HistogramCell {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  exemplars: (Exemplar | undefined)[] | undefined = undefined;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  /** Records `value` and answers the index of the bucket it fell in. */
  observe(value: number): number {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
    return i;
  }

  /** Records `value` with a trace id exemplar on its bucket. */
  observeWithExemplar(value: number, traceId: string): void {
    const i = this.observe(value);
    this.exemplars ??= new Array<Exemplar | undefined>(this.counts.length);
    this.exemplars[i] = { traceId, value, timestamp: Date.now() / 1000 };
  }
}

/** A histogram family with fixed upper bounds (seconds or bytes; sorted, finite, no duplicates). */
export class HistogramFamily extends Family<HistogramCell> {
  private readonly le: readonly string[];

  constructor(name: string, help: string, labelNames: readonly string[], readonly buckets: readonly number[]) {
    super(name, help, 'histogram', labelNames);
    this.le = [...buckets.map(formatValue), '+Inf'];
  }

  protected newCell(): HistogramCell {
    return new HistogramCell(this.buckets);
  }

  reset(): void {
    for (const { cell } of this.series) {
      cell.counts.fill(0);
      cell.sum = 0;
      cell.count = 0;
      cell.exemplars = undefined;
    }
  }

  get(): MetricObjectWithValues {
    const values: MetricSample[] = [];
    const bucketName = `${this.familyName}_bucket`;
    for (const { values: labelValues, cell } of this.series) {
      const labels = this.labelsOf(labelValues);
      let cumulative = 0;
      for (let i = 0; i < cell.counts.length; i++) {
        cumulative += cell.counts[i]!;
        const le = i < this.buckets.length ? this.buckets[i]! : '+Inf';
        values.push({ labels: { ...labels, le }, value: cumulative, metricName: bucketName });
      }
      values.push({ labels, value: cell.sum, metricName: `${this.familyName}_sum` });
      values.push({ labels, value: cell.count, metricName: `${this.familyName}_count` });
    }
    return {
      name: this.familyName,
      help: this.help,
      type: 'histogram',
      aggregator: this.aggregator,
      values,
    };
  }

  render(openMetrics: boolean, extraLabels: string): string {
    const name = this.familyName;
    let out = header(name, this.help, 'histogram', openMetrics);
    for (const { text, cell } of this.series) {
      const labels = braces(text, extraLabels);
      const inner = labels === '' ? '' : `${labels.slice(1, -1)},`;
      const exemplars = openMetrics ? cell.exemplars : undefined;
      let cumulative = 0;
      for (let i = 0; i < cell.counts.length; i++) {
        cumulative += cell.counts[i]!;
        out += `${name}_bucket{${inner}le="${this.le[i]}"} ${cumulative}`;
        const ex = exemplars?.[i];
        if (ex !== undefined) out += exemplarText(ex);
        out += '\n';
      }
      out += `${name}_sum${labels} ${formatValue(cell.sum)}\n${name}_count${labels} ${cell.count}\n`;
    }
    return out;
  }
}
