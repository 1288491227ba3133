/**
 * The protobuf exposition of a registry too large for one turn: whatever the number of series
 * encoded per turn and whatever size the body's buffer starts at (grown in turns, or with room
 * to spare), the body decodes to exactly the series recorded, and the bytes are the same. The
 * families are shaped so that the room left for a family's length prefix, estimated from its
 * first series, is at times too small (short series first, long ones after) and at times too
 * large (long ones first), so the family is moved after it is written. Decoded by protobufjs
 * from the checked-in schema, parsed on its own by the tests' helper (snake-case fields).
 */
import { createServer } from 'node:http';
import { Gauge, Histogram, Registry, Summary } from 'prom-client';
import { createHistogram, createMetricsEndpoint } from '../src';
import { renderProtobuf } from '../src/protobuf/render';
import { listen } from '../../../test/helpers/http';
import { decode, type Decoded } from '../../../test/helpers/protobuf';
import { countTurns } from '../../../test/helpers/turns';

const PROTOBUF = 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited';

const QUEUES = 3000;
const WIDE = 1000;
const CLIENT_HISTOGRAMS = 1000; // 5 samples each: grouped over more than one turn
const SUMMARIES = 50;
const APP = { name: 'app', value: 'shop' };

/** Short queue names first, long ones (1,500 characters) after: the first turn underestimates. */
const queue = (i: number): string => `q${i}-${'x'.repeat(i < QUEUES / 2 ? 0 : 1500)}`;
/** Long values first (3,000 characters), short ones after: the first turn overestimates. */
const wide = (i: number): string => `w${i}-${'y'.repeat(i < 10 ? 3000 : 0)}`;
const observations = (i: number): number[] => [0.05 * (1 + (i % 3)), 0.5, 2 + (i % 7)].slice(0, 1 + (i % 3));

function recorded(): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app: 'shop' });
  const jobs = createHistogram({ name: 'job_seconds', help: 'Job time.', labelNames: ['queue'], buckets: [0.1, 1], histograms: 'both', registry });
  for (let i = 0; i < QUEUES; i++) for (const v of observations(i)) jobs.labels(queue(i)).observe(v);
  const gauge = new Gauge({ name: 'wide', help: 'Wide.', labelNames: ['k'], registers: [registry] });
  for (let i = 0; i < WIDE; i++) gauge.set({ k: wide(i) }, i);
  new Gauge({ name: 'empty', help: 'No series.', labelNames: ['k'], registers: [registry] });
  const histogram = new Histogram({ name: 'client_seconds', help: 'Client.', labelNames: ['k'], buckets: [1, 2], registers: [registry] });
  for (let i = 0; i < CLIENT_HISTOGRAMS; i++) histogram.observe({ k: String(i) }, i % 3);
  const summary = new Summary({ name: 'payload_bytes', help: 'Payload.', labelNames: ['k'], percentiles: [0.5], registers: [registry] });
  for (let i = 0; i < SUMMARIES; i++) summary.observe({ k: String(i) }, 10);
  return registry;
}

/** What the families must decode to, from what was recorded (native buckets checked apart). */
function expected(): Decoded[] {
  const jobs = Array.from({ length: QUEUES }, (_, i) => {
    const values = observations(i);
    return {
      label: [{ name: 'queue', value: queue(i) }, APP],
      sample_count: values.length,
      sample_sum: values.reduce((a, b) => a + b, 0),
      bucket: [
        { cumulative_count: values.filter((v) => v <= 0.1).length, upper_bound: 0.1 },
        { cumulative_count: values.filter((v) => v <= 1).length, upper_bound: 1 },
      ],
    };
  });
  const wideSeries = Array.from({ length: WIDE }, (_, i) => ({ label: [{ name: 'k', value: wide(i) }, APP], gauge: { value: i } }));
  const client = Array.from({ length: CLIENT_HISTOGRAMS }, (_, i) => ({
    label: [{ name: 'k', value: String(i) }, APP],
    histogram: {
      sample_count: 1,
      sample_sum: i % 3,
      bucket: [{ cumulative_count: i % 3 <= 1 ? 1 : 0, upper_bound: 1 }, { cumulative_count: 1, upper_bound: 2 }],
    },
  }));
  const summaries = Array.from({ length: SUMMARIES }, (_, i) => ({
    label: [{ name: 'k', value: String(i) }, APP],
    summary: { sample_count: 1, sample_sum: 10, quantile: [{ quantile: 0.5, value: 10 }] },
  }));
  return [
    { name: 'job_seconds', help: 'Job time.', type: 'HISTOGRAM', metric: jobs },
    { name: 'wide', help: 'Wide.', type: 'GAUGE', metric: wideSeries },
    { name: 'client_seconds', help: 'Client.', type: 'HISTOGRAM', metric: client },
    { name: 'payload_bytes', help: 'Payload.', type: 'SUMMARY', metric: summaries },
  ];
}

/** The decoded families, job_seconds' native buckets checked against its counts and left out. */
function checked(body: Uint8Array): Decoded[] {
  const families = decode(body);
  const jobs = families.find((f) => f.name === 'job_seconds');
  if (jobs !== undefined) {
    const wrong: string[] = [];
    jobs.metric = jobs.metric.map((m: Decoded) => {
      const { sample_count, sample_sum, bucket, positive_span, positive_delta, zero_count, schema, zero_threshold } = m.histogram;
      let count = 0;
      let total = zero_count ?? 0;
      for (const delta of positive_delta ?? []) total += count += delta;
      // Every observation is positive: the native buckets hold them all, in at least one span.
      if (total !== sample_count || !(positive_span?.length > 0) || schema !== 3 || zero_threshold !== 2 ** -128) wrong.push(m.label[0].value);
      return { label: m.label, sample_count, sample_sum, bucket };
    });
    expect(wrong).toEqual([]);
  }
  return families;
}

test('a registry over many turns decodes to the series recorded, the same bytes at every turn size and starting buffer', async () => {
  const registry = recorded();
  const want = expected();
  const reference = await renderProtobuf(registry, 100_000, 0);
  expect(checked(reference)).toEqual(want);
  for (const seriesPerTurn of [1, 7, 100, 512]) {
    for (const sizeHint of [0, 1000, reference.length, reference.length * 4]) {
      const stop = countTurns();
      const body = await renderProtobuf(registry, seriesPerTurn, sizeHint);
      const turns = stop();
      expect({ seriesPerTurn, sizeHint, turnsAtLeast: turns >= Math.floor((QUEUES + WIDE) / seriesPerTurn) }).toEqual({ seriesPerTurn, sizeHint, turnsAtLeast: true });
      // Decoded whole once per turn size; the same bytes at every starting size.
      if (sizeHint === 0) expect(checked(body)).toEqual(want);
      expect(Buffer.compare(body, reference)).toBe(0);
    }
  }
});

test('over HTTP, the first scrape (buffer grown from its minimum) and the next (sized from the first) carry every series', async () => {
  const registry = recorded();
  const endpoint = createMetricsEndpoint({ registry });
  const server = await listen(createServer((req, res) => void endpoint.handle(req, res)));
  try {
    const bodies: Uint8Array[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${server.url}/metrics`, { headers: { accept: PROTOBUF, 'accept-encoding': 'identity' } });
      expect(res.headers.get('content-type')).toBe(PROTOBUF.replace(/;/g, '; '));
      bodies.push(new Uint8Array(await res.arrayBuffer()));
    }
    expect(checked(bodies[0]!)).toEqual(expected());
    expect(Buffer.compare(bodies[0]!, bodies[1]!)).toBe(0);
  } finally {
    await server.close();
  }
});
