/**
 * The whole registry in the delimited protobuf exposition (`io.prometheus.client.MetricFamily`
 * messages, each preceded by its length): what Prometheus asks for to scrape native histograms.
 * Carries counters (with exemplars), gauges, summaries, untyped metrics, classic histograms
 * (with bucket exemplars) and native histograms. Messages are built as plain objects and encoded
 * by protobufjs from the checked-in `proto/metrics.proto`, loaded on the first protobuf scrape.
 */
import { join } from 'node:path';
import type { Type } from 'protobufjs';
import { type MetricObjectWithValues, type MetricSample, type Registry, defaultLabelsOf, metricsOf } from '../prom';
import { type Family, isFamily } from '../family';
import type { CounterFamily } from '../counter';
import type { GaugeFamily } from '../gauge';
import type { HistogramFamily } from '../histogram';
import type { Exemplar } from '../exemplar';
import { spansOf } from '../native/native-buckets';
import * as pb from './messages';

interface Schema {
  protobuf: typeof import('protobufjs');
  metric: Type;
}

/** The Metric message type, loaded once per process on the first protobuf scrape. */
const SCHEMA: { loaded?: Schema } = {};

/** Where the schema is, from `src/protobuf/` and from `dist/protobuf/` alike. */
export const METRICS_PROTO = join(__dirname, '..', '..', 'proto', 'metrics.proto');

function schema(): Schema {
  if (SCHEMA.loaded === undefined) {
    // Required, not imported: text-only applications never load protobufjs.
    const protobuf = require('protobufjs') as typeof import('protobufjs');
    SCHEMA.loaded = { protobuf, metric: protobuf.loadSync(METRICS_PROTO).lookupType('io.prometheus.client.Metric') };
  }
  return SCHEMA.loaded;
}

/** MetricFamily field tags (field number × 8 + wire type): name, help, type, metric. */
const NAME_TAG = (1 << 3) | 2;
const HELP_TAG = (2 << 3) | 2;
const TYPE_TAG = 3 << 3;
const METRIC_TAG = (4 << 3) | 2;

type Defaults = Readonly<Record<string, string | number>>;

/**
 * The delimited protobuf exposition of every metric in `registry`, the registry's default labels
 * on every series without a label of that name (as in the text formats). Each series is encoded
 * on its own and the family assembled around them, yielding to the event loop every
 * `seriesPerTurn` series, so a family of 100,000 series does not block the loop in one piece.
 * Rejects with a collector's error, so no caller sends half an exposition.
 */
export async function renderProtobuf(registry: Registry, seriesPerTurn = 512): Promise<Buffer> {
  const { protobuf, metric: metricType } = schema();
  const defaults = defaultLabelsOf(registry);
  const parts: Uint8Array[] = [];
  let written = 0;
  for (const metric of metricsOf(registry)) {
    const family = isFamily(metric) ? familyMessage(metric, defaults) : objectMessage(await metric.get(), defaults);
    const header = protobuf.Writer.create().uint32(NAME_TAG).string(family.name).uint32(HELP_TAG).string(family.help).uint32(TYPE_TAG).int32(family.type).finish();
    // The series of one turn are joined into one chunk, so the final join has few, large parts.
    const body: Uint8Array[] = [header];
    let turn: Uint8Array[] = [];
    let length = header.length;
    for (const series of family.metric) {
      const bytes = metricType.encode(series).finish();
      const prefix = protobuf.Writer.create().uint32(METRIC_TAG).uint32(bytes.length).finish();
      turn.push(prefix, bytes);
      length += prefix.length + bytes.length;
      if (++written >= seriesPerTurn) {
        body.push(Buffer.concat(turn));
        turn = [];
        written = 0;
        await new Promise(setImmediate);
      }
    }
    if (length === header.length) continue; // no series: no family
    body.push(Buffer.concat(turn));
    parts.push(protobuf.Writer.create().uint32(length).finish(), ...body);
  }
  return Buffer.concat(parts);
}

/** A family's header and its series, built one series at a time as they are encoded. */
interface FamilyMessage {
  name: string;
  help: string;
  type: number;
  metric: Iterable<pb.Metric>;
}

/** A promwire family, read from its columns. */
function familyMessage(family: Family, defaults: Defaults): FamilyMessage {
  return { name: family.familyName, help: family.help, type: pb.TYPES[family.type]!, metric: seriesOf(family, defaults) };
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
    return { name: metric.name, help: metric.help, type, metric: metrics };
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
  return { name: metric.name, help: metric.help, type, metric: metrics };
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
