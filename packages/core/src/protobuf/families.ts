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

function* seriesOf(family: Family, defaults: pb.Defaults): Generator<pb.Metric> {
  const names = family.index.labelNames;
  for (let id = 0; id < family.index.size; id++) {
    const label = pb.pairs(names, family.index.values[id]!, defaults);
    // By type, not class: a family may come from another copy of this package.
    if (family.type === 'counter') {
      const counter = family as CounterFamily;
      const ex = counter.exemplars?.get(id);
      yield { label, counter: { value: counter.values[id]!, exemplar: ex && pb.exemplarOf(ex) } };
    } else if (family.type === 'gauge') {
      yield { label, gauge: { value: (family as GaugeFamily).values[id]! } };
    } else {
      yield { label, histogram: histogramOf(family as HistogramFamily, id) };
    }
  }
}

function histogramOf(family: HistogramFamily, id: number): pb.Histogram {
  const base = id * family.stride;
  const bounds = family.buckets;
  const native = family.native;
  const bucket: pb.Bucket[] = [];
  let cumulative = 0;
  for (let i = 0; i < family.stride; i++) {
    cumulative += family.counts[base + i]!;
    if (i < bounds.length && (native === undefined || native.classic)) {
      const ex = family.exemplars?.get(base + i);
      bucket.push({ cumulativeCount: cumulative, upperBound: bounds[i]!, exemplar: ex && pb.exemplarOf(ex) });
    }
  }
  const histogram: pb.Histogram = { sampleCount: cumulative, sampleSum: family.sums[id]!, bucket };
  if (native === undefined) return histogram;
  const series = family.natives![id];
  const positive = spansOf(series?.positive ?? new Map());
  const negative = spansOf(series?.negative ?? new Map());
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
  }
  return histogram;
}
