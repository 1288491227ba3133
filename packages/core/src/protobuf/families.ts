/**
 * promwire's own families (counters, gauges, histograms with classic and native buckets) as
 * `Metric` messages, read from their columns one series at a time as they are encoded.
 */
import type { Family } from '../family';
import type { CounterFamily } from '../counter';
import type { GaugeFamily } from '../gauge';
import type { HistogramFamily } from '../histogram';
import { spansOf } from '../native/native-buckets';
import * as pb from './messages';

/** A promwire family, read from its columns. */
export function familyMessage(family: Family, defaults: pb.Defaults): pb.FamilyMessage {
  return { name: family.familyName, help: family.help, type: pb.TYPES[family.type]!, metric: seriesOf(family, defaults), size: () => family.index.size };
}

const NO_BUCKETS: ReadonlyMap<number, number> = new Map();

/**
 * The family's series, one message object per family filled in anew for each series (valid
 * until the next is asked for, which is as long as the encoder needs it): a series costs no
 * label pairs, buckets or wrappers of its own, so a render of 100,000 series does not hand V8's
 * garbage collector a few million short-lived objects.
 */
function* seriesOf(family: Family, defaults: pb.Defaults): Generator<pb.Metric> {
  const names = family.index.labelNames;
  const label = pb.pairs(names, names.map(() => ''), defaults);
  // By type, not class: a family may come from another copy of this package.
  if (family.type === 'counter') {
    const counter = family as CounterFamily;
    const message = { label, counter: { value: 0, exemplar: undefined as pb.Exemplar | undefined } };
    for (let id = 0; id < family.index.size; id++) {
      labelsOf(label, family.index.values[id]!, names.length);
      const ex = counter.exemplars?.get(id);
      message.counter.value = counter.values[id]!;
      message.counter.exemplar = ex && pb.exemplarOf(ex);
      yield message;
    }
  } else if (family.type === 'gauge') {
    const gauge = family as GaugeFamily;
    const message = { label, gauge: { value: 0 } };
    for (let id = 0; id < family.index.size; id++) {
      labelsOf(label, family.index.values[id]!, names.length);
      message.gauge.value = gauge.values[id]!;
      yield message;
    }
  } else {
    const histogram = family as HistogramFamily;
    const classic = histogram.native === undefined || histogram.native.classic;
    const bucket: pb.Bucket[] = classic ? histogram.buckets.map((upperBound) => ({ cumulativeCount: 0, upperBound, exemplar: undefined })) : [];
    const message = { label, histogram: { sampleCount: 0, sampleSum: 0, bucket } as pb.Histogram };
    for (let id = 0; id < family.index.size; id++) {
      labelsOf(label, family.index.values[id]!, names.length);
      histogramOf(histogram, id, message.histogram);
      yield message;
    }
  }
}

/** A series' own label values into the family's label pairs (its defaults stay as they are). */
function labelsOf(label: pb.LabelPair[], values: readonly string[], count: number): void {
  for (let i = 0; i < count; i++) label[i]!.value = values[i] ?? '';
}

/** Series `id` of the family into `histogram`, whose classic buckets are the family's bounds. */
function histogramOf(family: HistogramFamily, id: number, histogram: pb.Histogram): void {
  const base = id * family.stride;
  const bounds = family.buckets;
  const native = family.native;
  let cumulative = 0;
  for (let i = 0; i < family.stride; i++) {
    cumulative += family.counts[base + i]!;
    if (i < bounds.length && (native === undefined || native.classic)) {
      const ex = family.exemplars?.get(base + i);
      const bucket = histogram.bucket[i]!;
      bucket.cumulativeCount = cumulative;
      bucket.exemplar = ex && pb.exemplarOf(ex);
    }
  }
  histogram.sampleCount = cumulative;
  histogram.sampleSum = family.sums[id]!;
  if (native === undefined) return;
  const series = family.natives![id];
  const positive = spansOf(series?.positive ?? NO_BUCKETS);
  const negative = spansOf(series?.negative ?? NO_BUCKETS);
  histogram.schema = series?.schema ?? native.schema;
  histogram.zeroThreshold = series?.zeroThreshold ?? native.zeroThreshold;
  histogram.zeroCount = series?.zeroCount ?? 0;
  histogram.positiveSpan = positive.spans;
  histogram.positiveDelta = positive.deltas;
  histogram.negativeSpan = negative.spans;
  histogram.negativeDelta = negative.deltas;
  // A reader tells a native histogram by a zero threshold above 0 or a span: an empty one with
  // a zero threshold of 0 gets an empty span.
  if (histogram.zeroThreshold === 0 && positive.spans.length + negative.spans.length === 0) {
    histogram.positiveSpan = [{ offset: 0, length: 0 }];
  }
  if (!native.classic && family.exemplars !== undefined) {
    const exemplars: pb.Exemplar[] = [];
    for (let i = 0; i < family.stride; i++) {
      const ex = family.exemplars.get(base + i);
      if (ex !== undefined) exemplars.push(pb.exemplarOf(ex));
    }
    histogram.exemplars = exemplars;
  } else {
    histogram.exemplars = undefined;
  }
}
