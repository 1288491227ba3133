/**
 * The whole registry in the delimited protobuf exposition (`io.prometheus.client.MetricFamily`
 * messages, each preceded by its length): what Prometheus asks for to scrape native histograms.
 * Carries counters (with exemplars), gauges, summaries, untyped metrics, classic histograms
 * (with bucket exemplars) and native histograms. Messages are built as plain objects and encoded
 * by protobufjs from the checked-in `proto/metrics.proto`, loaded on the first protobuf scrape
 * (see `schema.ts`).
 */
import { type MetricObjectWithValues, type MetricSample, type Registry, defaultLabelsOf, metricsOf } from '../prom';
import { type Family, isFamily } from '../family';
import type { CounterFamily } from '../counter';
import type { GaugeFamily } from '../gauge';
import type { HistogramFamily } from '../histogram';
import type { Exemplar } from '../exemplar';
import { spansOf } from '../native/native-buckets';
import * as pb from './messages';
import { ProtobufBody, nextTurn } from './body';
import { loadSchema } from './schema';

export { METRICS_PROTO } from './schema';

/** MetricFamily field tags (field number × 8 + wire type): name, help, type, metric. */
const NAME_TAG = (1 << 3) | 2;
const HELP_TAG = (2 << 3) | 2;
const TYPE_TAG = 3 << 3;
const METRIC_TAG = (4 << 3) | 2;

/** Series encoded in one turn of the event loop before the render yields. */
export const SERIES_PER_TURN = 512;

type Defaults = Readonly<Record<string, string | number>>;

/**
 * The delimited protobuf exposition of every metric in `registry`, the registry's default labels
 * on every series without a label of that name (as in the text formats). Rejects with a
 * collector's error, so no caller sends half an exposition.
 *
 * Rendered in turns: one protobufjs writer encodes `seriesPerTurn` series (each a length-delimited
 * `Metric`, field 4 of its family), its bytes are copied into the body (see {@link ProtobufBody},
 * which starts at `sizeHint` bytes, the last body's size) and the render yields to the event loop.
 * A family's length prefix is written once the family is complete: a family spanning turns gets
 * room for it from an estimate (the series so far, scaled to the family's series count), and is
 * moved in turns in the rare case the estimate had the prefix's size wrong.
 */
export async function renderProtobuf(registry: Registry, seriesPerTurn = SERIES_PER_TURN, sizeHint = 0): Promise<Buffer> {
  const { protobuf, metric: metricType } = await loadSchema();
  const defaults = defaultLabelsOf(registry);
  const body = new ProtobufBody(sizeHint);
  // One writer for the whole render: its buffer grows to a turn's bytes once and is reused.
  const writer = protobuf.Writer.create();
  let written = 0;
  for (const metric of metricsOf(registry)) {
    const family = isFamily(metric) ? familyMessage(metric, defaults) : objectMessage(await metric.get(), defaults);
    writer.uint32(NAME_TAG).string(family.name).uint32(HELP_TAG).string(family.help).uint32(TYPE_TAG).int32(family.type);
    const start = body.length; // where the family's length prefix goes
    let prefix = 0; // bytes left for it in the body, once part of the family is there
    let count = 0;
    for (const series of family.metric) {
      writer.uint32(METRIC_TAG).fork();
      metricType.encode(series, writer).ldelim();
      count++;
      if (++written >= seriesPerTurn) {
        if (prefix === 0) {
          prefix = varintSize(Math.min(2 ** 32 - 1, Math.ceil((writer.pos / count) * Math.max(count, family.size()))));
          await body.skip(prefix);
        }
        await body.append(writer.finish(true));
        writer.reset();
        written = 0;
        await nextTurn();
      }
    }
    if (count === 0) {
      writer.reset(); // no series: no family
      continue;
    }
    if (prefix === 0) {
      prefix = varintSize(writer.pos);
      await body.skip(prefix);
    }
    await body.append(writer.finish(true));
    writer.reset();
    const length = body.length - start - prefix;
    const size = varintSize(length);
    if (size !== prefix) await body.shift(start + prefix, size - prefix);
    body.put(writer.uint32(length).finish(true), start);
    writer.reset();
  }
  return body.bytes();
}

/** Bytes of `value` as a varint (protobufjs writes lengths as uint32). */
function varintSize(value: number): number {
  let size = 1;
  for (let v = value >>> 7; v > 0; v >>>= 7) size++;
  return size;
}

/** A family's header and its series, built one series at a time as they are encoded. */
interface FamilyMessage {
  name: string;
  help: string;
  type: number;
  metric: Iterable<pb.Metric>;
  /** How many series `metric` holds (a promwire family may gain series while it is written). */
  size(): number;
}

/** A promwire family, read from its columns. */
function familyMessage(family: Family, defaults: Defaults): FamilyMessage {
  return { name: family.familyName, help: family.help, type: pb.TYPES[family.type]!, metric: seriesOf(family, defaults), size: () => family.index.size };
}

function* seriesOf(family: Family, defaults: Defaults): Generator<pb.Metric> {
  const names = family.index.labelNames;
  for (let id = 0; id < family.index.size; id++) {
    const label = pairs(names, family.index.values[id]!, defaults);
    // By type, not class: a family may come from another copy of this package.
    if (family.type === 'counter') {
      const counter = family as CounterFamily;
      const ex = counter.exemplars?.get(id);
      yield { label, counter: { value: counter.values[id]!, exemplar: ex && exemplarOf(ex) } };
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
      bucket.push({ cumulativeCount: cumulative, upperBound: bounds[i]!, exemplar: ex && exemplarOf(ex) });
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
      if (ex !== undefined) exemplars.push(exemplarOf(ex));
    }
    histogram.exemplars = exemplars;
  }
  return histogram;
}

function exemplarOf(ex: Exemplar): pb.Exemplar {
  return { label: [{ name: 'trace_id', value: ex.traceId }], value: ex.value, timestamp: timestampOf(ex.timestamp) };
}

function timestampOf(seconds: number): pb.Timestamp {
  const whole = Math.floor(seconds);
  return { seconds: whole, nanos: Math.round((seconds - whole) * 1e9) };
}

/** A series' label pairs: its own, then each default label it does not have. */
function pairs(names: readonly string[], values: readonly string[], defaults: Defaults): pb.LabelPair[] {
  const out: pb.LabelPair[] = [];
  for (let i = 0; i < names.length; i++) out.push({ name: names[i]!, value: values[i] ?? '' });
  for (const name of Object.keys(defaults)) {
    if (!names.includes(name)) out.push({ name, value: String(defaults[name]) });
  }
  return out;
}

/** Label pairs of a `get()` sample, without `skip` (`le`, `quantile`), defaults appended. */
function samplePairs(labels: MetricSample['labels'], defaults: Defaults, skip?: string): pb.LabelPair[] {
  const names: string[] = [];
  const values: string[] = [];
  for (const name of Object.keys(labels ?? {})) {
    const value = labels![name];
    if (value === undefined || name === skip) continue;
    names.push(name);
    values.push(String(value));
  }
  return pairs(names, values, defaults);
}

/** A metric as its `get()` answers it: the user's own client metrics, default process metrics. */
function objectMessage(metric: MetricObjectWithValues, defaults: Defaults): FamilyMessage {
  const type = pb.TYPES[metric.type] ?? pb.TYPES.untyped!;
  const samples = metric.values as MetricSample[];
  if (metric.type !== 'histogram' && metric.type !== 'summary') {
    const metrics = samples.map((s): pb.Metric => {
      const label = samplePairs(s.labels, defaults);
      if (metric.type === 'counter') return { label, counter: { value: s.value, exemplar: sampleExemplar(s) } };
      return metric.type === 'gauge' ? { label, gauge: { value: s.value } } : { label, untyped: { value: s.value } };
    });
    return { name: metric.name, help: metric.help, type, metric: metrics, size: () => metrics.length };
  }
  const inner = metric.type === 'histogram' ? 'le' : 'quantile';
  const series = new Map<string, { label: pb.LabelPair[]; samples: MetricSample[] }>();
  for (const s of samples) {
    const label = samplePairs(s.labels, defaults, inner);
    const key = label.map((p) => `${p.name}\u0001${p.value}`).join('\u0000');
    const entry = series.get(key) ?? { label, samples: [] };
    entry.samples.push(s);
    series.set(key, entry);
  }
  const metrics: pb.Metric[] = [];
  for (const { label, samples: group } of series.values()) {
    let count = 0;
    let sum = 0;
    const bucket: pb.Bucket[] = [];
    const quantile: pb.Quantile[] = [];
    for (const s of group) {
      const name = s.metricName ?? metric.name;
      const at = s.labels?.[inner];
      if (at === undefined) {
        if (name.endsWith('_sum')) sum = s.value;
        else if (name.endsWith('_count')) count = s.value;
      } else if (inner === 'quantile') {
        quantile.push({ quantile: Number(at), value: s.value });
      } else if (at !== '+Inf' && Number(at) !== Infinity) {
        bucket.push({ cumulativeCount: whole(s.value), upperBound: Number(at), exemplar: sampleExemplar(s) });
      }
    }
    metrics.push(
      inner === 'le'
        ? { label, histogram: { sampleCount: whole(count), sampleSum: sum, bucket } }
        : { label, summary: { sampleCount: whole(count), sampleSum: sum, quantile } },
    );
  }
  return { name: metric.name, help: metric.help, type, metric: metrics, size: () => metrics.length };
}

function sampleExemplar(s: MetricSample): pb.Exemplar | undefined {
  const ex = s.exemplar;
  if (ex == null || typeof ex.value !== 'number' || ex.labelSet == null || Object.keys(ex.labelSet).length === 0) return undefined;
  const label = Object.entries(ex.labelSet).map(([name, value]) => ({ name, value: String(value) }));
  return { label, value: ex.value, timestamp: ex.timestamp === undefined ? undefined : timestampOf(ex.timestamp) };
}

/** A count as protobuf's uint64 takes it: a whole number, not negative. */
function whole(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}
