import type { MetricObjectWithValues, MetricSample } from './prom';
import { Family } from './family';
import { canonicalNumber, formatValue, header } from './format';
import { type Exemplar, exemplarText } from './exemplar';
import { type SeriesIndex, grown } from './series-index';
import { NativeBuckets } from './native/native-buckets';
import type { NativeSettings } from './native/native-options';

/**
 * A histogram family with fixed upper bounds (sorted, finite, no duplicates). Bucket counts are
 * kept per bucket, not cumulated, in one column of `stride` (bounds + the +Inf bucket) entries
 * per series; the count of a series is the sum of its buckets.
 *
 * With `native` settings, each series also keeps sparse exponential buckets (see
 * `NativeBuckets`), created on its first observation; count and sum stay shared with the
 * classic part. Without them, observing costs one more field check.
 */
export class HistogramFamily extends Family {
  readonly stride: number;
  /** Bucket counts, `stride` per series id. Replaced when the index grows. */
  counts: Float64Array;
  /** Sum per series id. Replaced when the index grows. */
  sums: Float64Array;
  /** Latest exemplar per (series id × stride + bucket). */
  exemplars: Map<number, Exemplar> | undefined = undefined;
  /** `le` label values per bucket: as prom-client writes them (0.0.4), and canonical (OpenMetrics). */
  private readonly le: readonly string[];
  private readonly leOpenMetrics: readonly string[];
  /** `le` per bucket as `get()` answers it: the bound, then `'+Inf'` (as the clients do). */
  private readonly leValues: readonly (number | string)[];
  /** Native buckets per series id, when the family has native settings. */
  natives: (NativeBuckets | undefined)[] | undefined;
  /**
   * `buckets` as searched by `observe`: reading a frozen array of numbers goes through V8's
   * generic keyed load (about 105 instructions an observation on Node 20, callgrind), a typed
   * array's elements are plain reads.
   */
  private readonly bounds: Float64Array;

  constructor(
    name: string,
    help: string,
    index: SeriesIndex,
    readonly buckets: readonly number[],
    readonly native?: NativeSettings,
  ) {
    super(name, help, 'histogram', index);
    this.stride = buckets.length + 1;
    this.bounds = Float64Array.from(buckets);
    this.le = [...buckets.map(formatValue), '+Inf'];
    this.leOpenMetrics = [...buckets.map(canonicalNumber), '+Inf'];
    this.leValues = [...buckets, '+Inf'];
    this.counts = new Float64Array(index.capacity * this.stride);
    this.sums = new Float64Array(index.capacity);
    this.natives = native === undefined ? undefined : [];
  }

  grow(capacity: number): void {
    this.counts = grown(this.counts, capacity * this.stride);
    this.sums = grown(this.sums, capacity);
  }

  /** Records `value` in series `id`, with a `trace_id` exemplar on its bucket when given. */
  observe(id: number, value: number, traceId?: string): void {
    const bounds = this.bounds;
    const n = bounds.length;
    let i = 0;
    while (i < n && value > bounds[i]!) i++;
    const slot = id * this.stride + i;
    this.counts[slot]!++;
    this.sums[id]! += value;
    const natives = this.natives;
    if (natives !== undefined) (natives[id] ??= new NativeBuckets(this.native!)).observe(value);
    if (traceId !== undefined) (this.exemplars ??= new Map()).set(slot, { traceId, value, timestamp: Date.now() / 1000 });
  }

  reset(): void {
    this.counts.fill(0);
    this.sums.fill(0);
    this.exemplars = undefined;
    for (const series of this.natives ?? []) series?.reset();
  }

  /**
   * The family as the clients' collector interface answers it (what a cluster primary and a
   * client's own serializer read): per series, one sample per bucket (cumulative, `le` a number
   * or `'+Inf'`), then `_sum` and `_count`. Built for speed: one array of known length, sample
   * names made once, each bucket's labels a copy of the series' labels plus `le`.
   */
  get(): MetricObjectWithValues {
    const size = this.index.size;
    const stride = this.stride;
    const counts = this.counts;
    const bucketName = `${this.familyName}_bucket`;
    const sumName = `${this.familyName}_sum`;
    const countName = `${this.familyName}_count`;
    const le = this.leValues;
    const values: MetricSample[] = new Array(size * (stride + 2));
    let k = 0;
    for (let id = 0; id < size; id++) {
      const labels = this.labelObject(id);
      const base = id * stride;
      let cumulative = 0;
      for (let i = 0; i < stride; i++) {
        cumulative += counts[base + i]!;
        const bucket = Object.assign({}, labels);
        bucket.le = le[i]!;
        values[k++] = { labels: bucket, value: cumulative, metricName: bucketName };
      }
      values[k++] = { labels, value: this.sums[id]!, metricName: sumName };
      values[k++] = { labels, value: cumulative, metricName: countName };
    }
    return { name: this.familyName, help: this.help, type: 'histogram', aggregator: this.aggregator, values };
  }

  override samplesPerSeries(): number {
    return this.stride + 2;
  }

  write(openMetrics: boolean, extraLabels: string, from: number, to: number): string {
    const name = this.familyName;
    const bucketName = `${name}_bucket{`;
    const exemplars = openMetrics ? this.exemplars : undefined;
    const le = openMetrics ? this.leOpenMetrics : this.le;
    let out = from > 0 ? '' : header(name, this.help, 'histogram', openMetrics);
    for (let id = from; id < to; id++) {
      const labels = this.labels(id, extraLabels);
      const prefix = labels === '' ? bucketName : `${bucketName}${labels},`;
      const base = id * this.stride;
      let cumulative = 0;
      for (let i = 0; i < this.stride; i++) {
        cumulative += this.counts[base + i]!;
        out += `${prefix}le="${le[i]}"} ${cumulative}`;
        const ex = exemplars?.get(base + i);
        if (ex !== undefined) out += exemplarText(ex);
        out += '\n';
      }
      const braced = labels === '' ? '' : `{${labels}}`;
      out += `${name}_sum${braced} ${formatValue(this.sums[id]!)}\n${name}_count${braced} ${cumulative}\n`;
    }
    return out;
  }
}
