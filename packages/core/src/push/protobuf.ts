/**
 * The Prometheus protobuf exposition (`io.prometheus.client.MetricFamily`, length-delimited),
 * the Pushgateway's other input format, written from metrics as `get()` answers them. A
 * hand-written encoder of the few message types used (no dependency): counters, gauges,
 * untyped, classic histograms (cumulative buckets, the +Inf bucket left implicit as in
 * client_golang) and summaries. Exemplars and timestamps are not written.
 */
import type { MetricObjectWithValues, MetricSample } from '../prom';

/** Content type of the delimited protobuf exposition. */
export const PROTOBUF_CONTENT_TYPE = 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited';

const TYPE_NUMBERS: Readonly<Record<string, number>> = { counter: 0, gauge: 1, summary: 2, untyped: 3, histogram: 4 };

/** Bytes of a message under construction. */
class Writer {
  private readonly parts: Buffer[] = [];
  private length = 0;

  raw(part: Buffer): void {
    this.parts.push(part);
    this.length += part.length;
  }

  varint(value: number): this {
    const bytes: number[] = [];
    let v = value;
    while (v >= 0x80) {
      bytes.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    bytes.push(v);
    this.raw(Buffer.from(bytes));
    return this;
  }

  tag(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  double(field: number, value: number): this {
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleLE(value);
    this.tag(field, 1).raw(b);
    return this;
  }

  uint(field: number, value: number): this {
    return this.tag(field, 0).varint(value);
  }

  bytes(field: number, value: Buffer): this {
    this.tag(field, 2).varint(value.length).raw(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  message(field: number, inner: Writer): this {
    return this.bytes(field, inner.finish());
  }

  finish(): Buffer {
    return Buffer.concat(this.parts, this.length);
  }
}

type Labels = MetricSample['labels'];

function labelPairs(w: Writer, labels: Labels | undefined, skip?: string): void {
  if (labels === undefined) return;
  for (const name of Object.keys(labels)) {
    const value = labels[name];
    if (value === undefined || name === skip) continue;
    w.message(1, new Writer().string(1, name).string(2, String(value)));
  }
}

/** Groups a histogram's or summary's samples by series (labels without `le` / `quantile`). */
function bySeries(metric: MetricObjectWithValues, label: string): Map<string, { labels: Labels; samples: MetricSample[] }> {
  const series = new Map<string, { labels: Labels; samples: MetricSample[] }>();
  for (const sample of metric.values) {
    const labels = sample.labels ?? {};
    const key = Object.keys(labels).filter((n) => n !== label).sort().map((n) => `${n}\u0001${labels[n]}`).join('\u0000');
    let entry = series.get(key);
    if (entry === undefined) series.set(key, (entry = { labels, samples: [] }));
    entry.samples.push(sample);
  }
  return series;
}

/** A count as protobuf's uint64: integral and not negative. */
function count(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}

function familyOf(metric: MetricObjectWithValues): Writer {
  const type = TYPE_NUMBERS[metric.type] ?? TYPE_NUMBERS.untyped!;
  const family = new Writer().string(1, metric.name).string(2, metric.help).uint(3, type);
  if (metric.type === 'histogram' || metric.type === 'summary') {
    const inner = metric.type === 'histogram' ? 'le' : 'quantile';
    for (const { labels, samples } of bySeries(metric, inner).values()) {
      const m = new Writer();
      labelPairs(m, labels, inner);
      const body = new Writer();
      let sum = 0;
      let total = 0;
      for (const s of samples) {
        const name = s.metricName ?? metric.name;
        if (name.endsWith('_sum')) sum = s.value;
        else if (name.endsWith('_count')) total = s.value;
      }
      body.uint(1, count(total)).double(2, sum);
      for (const s of samples) {
        const bound = s.labels?.[inner];
        if (bound === undefined) continue;
        const at = bound === '+Inf' ? Infinity : bound === '-Inf' ? -Infinity : Number(bound);
        if (metric.type === 'histogram') {
          if (at !== Infinity) body.message(3, new Writer().uint(1, count(s.value)).double(2, at));
        } else {
          body.message(3, new Writer().double(1, at).double(2, s.value));
        }
      }
      m.message(metric.type === 'histogram' ? 7 : 4, body);
      family.message(4, m);
    }
    return family;
  }
  // counter → Counter (3), gauge → Gauge (2), anything else → Untyped (5); each { double value = 1 }.
  const field = metric.type === 'counter' ? 3 : metric.type === 'gauge' ? 2 : 5;
  for (const s of metric.values) {
    const m = new Writer();
    labelPairs(m, s.labels);
    m.message(field, new Writer().double(1, s.value));
    family.message(4, m);
  }
  return family;
}

/** The delimited protobuf exposition of `metrics`: each MetricFamily preceded by its length. */
export function encodeProtobuf(metrics: readonly MetricObjectWithValues[]): Buffer {
  const out = new Writer();
  for (const metric of metrics) {
    if (metric.values.length === 0) continue;
    const family = familyOf(metric).finish();
    out.varint(family.length);
    out.raw(family);
  }
  return out.finish();
}
