/**
 * The whole registry in the delimited protobuf exposition (`io.prometheus.client.MetricFamily`
 * messages, each preceded by its length): what Prometheus asks for to scrape native histograms.
 * Carries counters (with exemplars), gauges, summaries, untyped metrics, classic histograms
 * (with bucket exemplars) and native histograms. Messages are built as plain objects and encoded
 * by protobufjs from the checked-in `proto/metrics.proto`, loaded on the first protobuf scrape
 * (see `schema.ts`).
 */
import { type Registry, defaultLabelsOf, metricsOf } from '../prom';
import { isFamily } from '../family';
import { ProtobufBody, nextTurn } from './body';
import { familyMessage } from './families';
import type { FamilyMessage } from './messages';
import { objectMessage } from './objects';
import { loadSchema } from './schema';

export { METRICS_PROTO } from './schema';

/** MetricFamily field tags (field number × 8 + wire type): name, help, type, metric. */
const NAME_TAG = (1 << 3) | 2;
const HELP_TAG = (2 << 3) | 2;
const TYPE_TAG = 3 << 3;
const METRIC_TAG = (4 << 3) | 2;

/** Series encoded in one turn of the event loop before the render yields. */
export const SERIES_PER_TURN = 512;
/** Bytes encoded in one turn before the render yields, whatever the number of series (long labels). */
const BYTES_PER_TURN = 256 * 1024;

/**
 * The delimited protobuf exposition of every metric in `registry`, the registry's default labels
 * on every series without a label of that name (as in the text formats). Rejects with a
 * collector's error, so no caller sends half an exposition.
 *
 * Rendered in turns: one protobufjs writer encodes `seriesPerTurn` series or 256 KiB, whichever
 * comes first (each series a length-delimited `Metric`, field 4 of its family; the messages come
 * from `families.ts` and `objects.ts`), its bytes are copied into the body (see {@link ProtobufBody},
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
    let family: FamilyMessage;
    if (isFamily(metric)) {
      family = familyMessage(metric, defaults);
    } else {
      // A client's get() runs whole; what follows it starts in a turn of its own.
      const values = await metric.get();
      await nextTurn();
      family = await objectMessage(values, defaults);
      written = 0;
    }
    writer.uint32(NAME_TAG).string(family.name).uint32(HELP_TAG).string(family.help).uint32(TYPE_TAG).int32(family.type);
    const start = body.length; // where the family's length prefix goes
    let prefix = 0; // bytes left for it in the body, once part of the family is there
    let count = 0;
    for (const series of family.metric) {
      writer.uint32(METRIC_TAG).fork();
      metricType.encode(series, writer).ldelim();
      count++;
      if (++written >= seriesPerTurn || writer.pos >= BYTES_PER_TURN) {
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
