/**
 * A metric as its `get()` answers it (the user's own prom-client or @prometheus-io/client
 * metrics, default process metrics) as `Metric` messages, built one series at a time as they are
 * encoded. Histograms and summaries come as one sample per bucket or quantile, `_sum` and
 * `_count`, grouped by label set into one message per series; the grouping yields to the event
 * loop every {@link SAMPLES_PER_TURN} samples, so a metric of 100,000 series is not grouped in
 * one turn.
 */
import type { MetricObjectWithValues, MetricSample } from '../prom';
import { nextTurn } from './body';
import * as pb from './messages';

/** Samples grouped in one turn of the event loop. */
const SAMPLES_PER_TURN = 4096;

export async function objectMessage(metric: MetricObjectWithValues, defaults: pb.Defaults): Promise<pb.FamilyMessage> {
  const type = pb.TYPES[metric.type] ?? pb.TYPES.untyped!;
  const samples = metric.values as MetricSample[];
  const header = { name: metric.name, help: metric.help, type };
  if (metric.type !== 'histogram' && metric.type !== 'summary') {
    return { ...header, metric: valuesOf(metric.type, samples, defaults), size: () => samples.length };
  }
  const inner = metric.type === 'histogram' ? 'le' : 'quantile';
  const series = new Map<string, { label: pb.LabelPair[]; samples: MetricSample[] }>();
  for (let i = 0; i < samples.length; i++) {
    if (i > 0 && i % SAMPLES_PER_TURN === 0) await nextTurn();
    const s = samples[i]!;
    const label = samplePairs(s.labels, defaults, inner);
    const key = label.map((p) => `${p.name}\u0001${p.value}`).join('\u0000');
    const entry = series.get(key);
    if (entry === undefined) series.set(key, { label, samples: [s] });
    else entry.samples.push(s);
  }
  return { ...header, metric: groupsOf(metric.name, inner, series.values()), size: () => series.size };
}

/** Counters, gauges and untyped metrics: one message per sample. */
function* valuesOf(type: string, samples: readonly MetricSample[], defaults: pb.Defaults): Generator<pb.Metric> {
  for (const s of samples) {
    const label = samplePairs(s.labels, defaults);
    if (type === 'counter') yield { label, counter: { value: s.value, exemplar: sampleExemplar(s) } };
    else yield type === 'gauge' ? { label, gauge: { value: s.value } } : { label, untyped: { value: s.value } };
  }
}

/** Histograms and summaries: one message per label set, from its samples. */
function* groupsOf(
  name: string,
  inner: 'le' | 'quantile',
  groups: Iterable<{ label: pb.LabelPair[]; samples: MetricSample[] }>,
): Generator<pb.Metric> {
  for (const { label, samples } of groups) {
    let count = 0;
    let sum = 0;
    const bucket: pb.Bucket[] = [];
    const quantile: pb.Quantile[] = [];
    for (const s of samples) {
      const sampleName = s.metricName ?? name;
      const at = s.labels?.[inner];
      if (at === undefined) {
        if (sampleName.endsWith('_sum')) sum = s.value;
        else if (sampleName.endsWith('_count')) count = s.value;
      } else if (inner === 'quantile') {
        quantile.push({ quantile: Number(at), value: s.value });
      } else if (at !== '+Inf' && Number(at) !== Infinity) {
        bucket.push({ cumulativeCount: whole(s.value), upperBound: Number(at), exemplar: sampleExemplar(s) });
      }
    }
    yield inner === 'le'
      ? { label, histogram: { sampleCount: whole(count), sampleSum: sum, bucket } }
      : { label, summary: { sampleCount: whole(count), sampleSum: sum, quantile } };
  }
}

/** Label pairs of a `get()` sample, without `skip` (`le`, `quantile`), defaults appended. */
function samplePairs(labels: MetricSample['labels'], defaults: pb.Defaults, skip?: string): pb.LabelPair[] {
  const names: string[] = [];
  const values: string[] = [];
  for (const name of Object.keys(labels ?? {})) {
    const value = labels![name];
    if (value === undefined || name === skip) continue;
    names.push(name);
    values.push(String(value));
  }
  return pb.pairs(names, values, defaults);
}

function sampleExemplar(s: MetricSample): pb.Exemplar | undefined {
  const ex = s.exemplar;
  if (ex == null || typeof ex.value !== 'number' || ex.labelSet == null || Object.keys(ex.labelSet).length === 0) return undefined;
  const label = Object.entries(ex.labelSet).map(([name, value]) => ({ name, value: String(value) }));
  return { label, value: ex.value, timestamp: ex.timestamp === undefined ? undefined : pb.timestampOf(ex.timestamp) };
}

/** A count as protobuf's uint64 takes it: a whole number, not negative. */
function whole(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}
