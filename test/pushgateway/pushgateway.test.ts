/**
 * pushMetrics against Debian's real Pushgateway (1.5.1): push, pushAdd and delete in both
 * formats the gateway reads, groupings in the gateway's base64 path form, the gateway's own
 * /metrics holding exactly the pushed series, a real Prometheus scraping the gateway with
 * honor_labels, and the gateway's refusal carried by the error.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { PushgatewayError, createHttpMetrics, pushMetrics, renderRegistry } from '@promwire/core';
import { type Pushgateway, startPushgateway } from '../helpers/pushgateway';
import { startPrometheus } from '../helpers/prometheus';
import { parseExposition, type Sample } from '../helpers/exposition';
import { eventually } from '../helpers/http';

let gateway: Pushgateway;
beforeAll(async () => {
  gateway = await startPushgateway();
});
afterAll(() => gateway?.stop());

/** A registry with a counter, a gauge, a histogram and promwire's HTTP families. */
function batchRegistry(rows: number): Registry {
  const registry = new Registry();
  const processed = new Counter({ name: 'rows_processed_total', help: 'Rows processed.', labelNames: ['table'], registers: [registry] });
  processed.inc({ table: 'users' }, rows);
  processed.inc({ table: 'orders' }, rows * 2);
  new Gauge({ name: 'batch_size', help: 'Rows per batch.', registers: [registry] }).set(250);
  const took = new Histogram({ name: 'batch_seconds', help: 'Batch time.', buckets: [0.1, 1, 10], registers: [registry] });
  took.observe(0.05);
  took.observe(2);
  const recorder = createHttpMetrics({ registry, defaultMetrics: false, routeOf: () => '/export/:id' });
  for (let i = 0; i < 3; i++) recorder.end(recorder.begin({}, {}, { method: 'GET', headers: {} })!, 200);
  return registry;
}

/** Samples as `name{sorted labels}` → value, empty label values dropped (the gateway drops them). */
function keyed(samples: Sample[], extra: Record<string, string> = {}): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) {
    const labels = { ...s.labels, ...extra };
    const text = Object.keys(labels).filter((n) => labels[n] !== '').sort().map((n) => `${n}="${labels[n]}"`).join(',');
    out.set(`${s.name}{${text}}`, s.value);
  }
  return out;
}

async function pushedSamples(registry: Registry): Promise<Sample[]> {
  return parseExposition(await renderRegistry(registry, false)).samples;
}

describe.each(['text', 'protobuf'] as const)('the %s format', (format) => {
  const job = `batch_${format}`;
  const groupings = { instance: 'db-1', path: '/var/tmp', shard: '' };

  it('push (PUT) puts exactly the registry\'s series in the group, grouping labels added', async () => {
    const registry = batchRegistry(10);
    await pushMetrics({ url: gateway.url, jobName: job, groupings, registry, format }).push();
    const expected = keyed(await pushedSamples(registry), { job, instance: 'db-1', path: '/var/tmp' });
    expect(keyed(await gateway.group(job))).toEqual(expected);
    expect(expected.size).toBeGreaterThan(20);
  });

  it('pushAdd (POST) replaces the metrics it carries and keeps the others; push replaces the group', async () => {
    const first = batchRegistry(10);
    const pusher = (registry: Registry) => pushMetrics({ url: gateway.url, jobName: job, groupings, registry, format });
    await pusher(first).push();
    const second = new Registry();
    new Counter({ name: 'rows_processed_total', help: 'Rows processed.', labelNames: ['table'], registers: [second] }).inc({ table: 'users' }, 7);
    new Gauge({ name: 'extra_gauge', help: 'Added later.', registers: [second] }).set(1);
    await pusher(second).pushAdd();
    const group = keyed(await gateway.group(job));
    const labels = 'instance="db-1",job="' + job + '",path="/var/tmp"';
    expect(group.get(`rows_processed_total{${labels},table="users"}`)).toBe(7);
    expect(group.has(`rows_processed_total{${labels},table="orders"}`)).toBe(false); // the metric was replaced whole
    expect(group.get(`extra_gauge{${labels}}`)).toBe(1);
    expect(group.get(`batch_size{${labels}}`)).toBe(250); // not carried: kept

    await pusher(second).push();
    expect(keyed(await gateway.group(job))).toEqual(keyed(await pushedSamples(second), { job, instance: 'db-1', path: '/var/tmp' }));
  });

  it('delete removes the group', async () => {
    const pusher = pushMetrics({ url: gateway.url, jobName: job, groupings, registry: batchRegistry(1), format });
    await pusher.push();
    expect((await gateway.group(job)).length).toBeGreaterThan(0);
    await pusher.delete();
    // The gateway answers DELETE with 202 before its store applies it: wait for the group to go.
    await eventually(async () => (await gateway.metrics()).samples.every((s) => s.labels.job !== job), 20000);
    expect(await gateway.group(job)).toEqual([]);
    expect((await gateway.metrics()).find('push_time_seconds', { job })).toEqual([]);
  });

  it('a large body is gzipped and read the same', async () => {
    const registry = new Registry();
    const wide = new Counter({ name: 'wide_total', help: 'Many series.', labelNames: ['key'], registers: [registry] });
    for (let i = 0; i < 600; i++) wide.inc({ key: `key-${i}-${'x'.repeat(20)}` }, i);
    expect(Buffer.byteLength(await renderRegistry(registry, false))).toBeGreaterThan(16 * 1024);
    await pushMetrics({ url: gateway.url, jobName: `${job}_large`, registry, format }).push();
    const group = await gateway.group(`${job}_large`);
    expect(group).toHaveLength(600);
    expect(group.find((s) => s.labels.key?.startsWith('key-599-'))?.value).toBe(599);
  });
});

it('a refused push (400) is not retried and carries the gateway\'s message', async () => {
  const url = gateway.url;
  const counter = new Registry();
  new Counter({ name: 'clash_metric', help: 'A counter.', registers: [counter] }).inc();
  await pushMetrics({ url, jobName: 'clash', registry: counter }).push();
  // The same name as a gauge in another group: the gateway refuses an inconsistent type.
  const gauge = new Registry();
  new Gauge({ name: 'clash_metric', help: 'A counter.', registers: [gauge] }).set(1);
  const error = await pushMetrics({ url, jobName: 'clash_other', registry: gauge, retryDelayMs: 1 }).push().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PushgatewayError);
  const e = error as PushgatewayError;
  expect(e.status).toBe(400);
  expect(e.attempts).toBe(1);
  expect(e.method).toBe('PUT');
  expect(e.body).toMatch(/clash_metric/);
  expect(e.message).toContain(`@promwire/core: PUT ${url}/metrics/job/clash_other failed: the Pushgateway answered 400: `);
  console.log(`400 from the Pushgateway: ${e.message}`);
});

it('runJob pushes the success time and duration; a failed run keeps the last success and adds the failure', async () => {
  const registry = batchRegistry(5);
  const pusher = pushMetrics({ url: gateway.url, jobName: 'nightly', registry, onError: (e) => { throw e; } });
  const before = Date.now() / 1000;
  await expect(pusher.runJob(async () => 'done')).resolves.toBe('done');
  const ok = await gateway.group('nightly');
  const success = ok.find((s) => s.name === 'job_last_success_timestamp_seconds')!.value;
  expect(success).toBeGreaterThanOrEqual(Math.floor(before));
  expect(ok.find((s) => s.name === 'job_duration_seconds')!.value).toBeGreaterThanOrEqual(0);
  expect(ok.find((s) => s.name === 'rows_processed_total' && s.labels.table === 'users')!.value).toBe(5);

  const failure = new Error('disk full');
  await expect(pusher.runJob(() => Promise.reject(failure))).rejects.toBe(failure);
  const failed = await gateway.group('nightly');
  expect(failed.find((s) => s.name === 'job_last_success_timestamp_seconds')!.value).toBe(success);
  expect(failed.find((s) => s.name === 'job_last_failure_timestamp_seconds')!.value).toBeGreaterThanOrEqual(success);
});

it('real Prometheus scrapes the gateway with honor_labels and PromQL answers the pushed values', async () => {
  const registry = batchRegistry(21);
  await pushMetrics({ url: gateway.url, jobName: 'promql_batch', groupings: { instance: 'db-7' }, registry }).push();
  const prometheus = await startPrometheus([{ job: 'pushgateway', target: gateway.target, honorLabels: true }]);
  try {
    await prometheus.waitForScrapes(1);
    const rows = await prometheus.query('sum by (job, instance) (rows_processed_total{job="promql_batch"})');
    expect(rows).toEqual([{ metric: { job: 'promql_batch', instance: 'db-7' }, value: [expect.any(Number), '63'] }]);
    const requests = await prometheus.query('http_requests_total{job="promql_batch"}');
    expect(requests.map((r) => [r.metric.route, r.metric.instance, r.value[1]])).toEqual([['/export/:id', 'db-7', '3']]);
    const count = await prometheus.query('batch_seconds_count{job="promql_batch"}');
    expect(count[0]!.value[1]).toBe('2');
    console.log(`PromQL over the gateway: sum(rows_processed_total)=${rows[0]!.value[1]}, http_requests_total=${requests[0]!.value[1]}, batch_seconds_count=${count[0]!.value[1]}`);
  } finally {
    await prometheus.stop();
  }
}, 90000);
