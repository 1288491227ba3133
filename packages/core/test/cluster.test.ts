/**
 * The cluster primary's collector over a stand-in `cluster` (an EventEmitter with scripted
 * workers that answer from real registries, their messages passed through JSON as the IPC
 * channel does), and clusterMetrics() options and endpoint. The real cluster is in test/cluster.
 */
import { EventEmitter } from 'node:events';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ClusterCollector, type WorkerLike } from '../src/cluster/primary';
import { COLLECT, ERROR, FINAL, HELLO, METRICS, READY, encodeMetrics } from '../src/cluster/protocol';
import { renderSnapshots } from '../src/exposition';
import { clusterMetrics, createHttpMetrics, type MetricsAuth } from '../src';
import type { MetricObjectWithValues } from '../src/prom';
import { request } from '../../../test/helpers/http';
import { parseExposition } from '../../../test/helpers/exposition';

type Behaviour = 'answer' | 'silent' | 'error';

class StandInCluster extends EventEmitter {
  workers: Record<string, WorkerLike> = {};
  collects = 0;

  /** A worker answering from `registry`; `behaviour` says how it answers `collect`. */
  fork(id: number, registry: Registry, state: { behaviour: Behaviour } = { behaviour: 'answer' }): { state: { behaviour: Behaviour }; exit(): void; final(): Promise<void> } {
    const emit = (message: unknown) => this.emit('message', worker, JSON.parse(JSON.stringify(message)));
    let connected = true;
    const worker: WorkerLike = {
      id,
      isConnected: () => connected,
      send: (message, _h, _o, callback) => {
        if (message.type === HELLO) setImmediate(() => emit({ type: READY }));
        if (message.type === COLLECT) {
          this.collects++;
          if (state.behaviour === 'answer') {
            void registry.getMetricsAsJSON().then((m) => emit({ type: METRICS, id: message.id, metrics: encodeMetrics(m as unknown as MetricObjectWithValues[]) }));
          } else if (state.behaviour === 'error') {
            setImmediate(() => emit({ type: ERROR, id: message.id, message: 'collector threw' }));
          }
        }
        callback?.(null);
        return true;
      },
    };
    this.workers[id] = worker;
    emit({ type: READY });
    return {
      state,
      exit: () => {
        connected = false;
        delete this.workers[id];
        this.emit('exit', worker, null, 'SIGKILL');
      },
      final: async () => {
        emit({ type: FINAL, metrics: encodeMetrics((await registry.getMetricsAsJSON()) as unknown as MetricObjectWithValues[]) });
      },
    };
  }
}

/** A worker's registry: requests by route (labels given in either order), a gauge of each aggregator, a histogram. */
function workerRegistry(requests: number, order: 'ab' | 'ba' = 'ab'): Registry {
  const registry = new Registry();
  const c = new Counter({ name: 'jobs_total', help: 'Jobs.', labelNames: ['a', 'b'], registers: [registry] });
  c.inc(order === 'ab' ? { a: 'x', b: 'y' } : { b: 'y', a: 'x' }, requests);
  for (const aggregator of ['sum', 'max', 'min', 'first', 'average', 'omit'] as const) {
    new Gauge({ name: `g_${aggregator}`, help: aggregator, aggregator, registers: [registry] }).set(requests);
  }
  new Gauge({ name: 'g_nan', help: 'NaN and infinities over IPC.', labelNames: ['v'], registers: [registry] }).set({ v: 'nan' }, NaN);
  const h = new Histogram({ name: 'h_seconds', help: 'h', buckets: [1, 10], registers: [registry] });
  for (let i = 0; i < requests; i++) h.observe(i);
  return registry;
}

async function collected(collector: ClusterCollector) {
  return parseExposition(renderSnapshots(await collector.collect(), false));
}

function collectorOf(cluster: StandInCluster, timeoutMs = 60000, primary = new Registry()): ClusterCollector {
  const collector = new ClusterCollector(cluster, {
    timeoutMs,
    primaryMetrics: async () => ((await primary.getMetricsAsJSON()) as unknown as MetricObjectWithValues[]).map((m) => ({
      ...m, values: m.values.map((v) => ({ ...v, labels: { ...v.labels, worker: 'primary' } })),
    })),
  });
  collector.start();
  return collector;
}

test('combines every worker by each metric\'s aggregator, whatever the order of their labels', async () => {
  const cluster = new StandInCluster();
  const collector = collectorOf(cluster);
  cluster.fork(1, workerRegistry(2, 'ab'));
  cluster.fork(2, workerRegistry(5, 'ba'));
  await new Promise(setImmediate);
  const e = await collected(collector);
  expect(e.value('jobs_total', { a: 'x', b: 'y' })).toBe(7);
  expect(e.find('jobs_total')).toHaveLength(1);
  expect(['g_sum', 'g_max', 'g_min', 'g_first', 'g_average'].map((n) => e.value(n))).toEqual([7, 5, 2, 2, 3.5]);
  expect(e.find('g_omit')).toEqual([]);
  expect(Number.isNaN(e.value('g_nan', { v: 'nan' }))).toBe(true);
  expect(e.value('h_seconds_bucket', { le: '1' })).toBe(4); // 0 and 1 from each worker
  expect(e.value('h_seconds_count')).toBe(7);
  expect(e.value('h_seconds_sum')).toBe(1 + 10);
  expect([e.value('promwire_cluster_worker_timeouts_total'), e.value('promwire_cluster_workers', { state: 'answered' })]).toEqual([0, 2]);
  collector.stop();
});

test('a silent worker is counted as a timeout and served from its last counters, not its gauges', async () => {
  const cluster = new StandInCluster();
  const collector = collectorOf(cluster, 50);
  cluster.fork(1, workerRegistry(2));
  const slow = cluster.fork(2, workerRegistry(5));
  await new Promise(setImmediate);
  await collected(collector);
  slow.state.behaviour = 'silent';
  const e = await collected(collector);
  expect(e.value('promwire_cluster_worker_timeouts_total')).toBe(1);
  expect(e.value('promwire_cluster_workers', { state: 'late' })).toBe(1);
  expect(e.value('jobs_total', { a: 'x', b: 'y' })).toBe(7);
  expect(e.value('g_sum')).toBe(2);
  slow.state.behaviour = 'error';
  const failed = await collected(collector);
  expect([failed.value('promwire_cluster_worker_errors_total'), failed.value('promwire_cluster_worker_timeouts_total')]).toEqual([1, 1]);
  expect(failed.value('jobs_total', { a: 'x', b: 'y' })).toBe(7);
  collector.stop();
});

test('a worker that exits while asked ends the wait at once, is counted, and its counters stay in every later sum', async () => {
  const cluster = new StandInCluster();
  const collector = collectorOf(cluster); // a 60 s deadline: the test ends only if the exit ends the wait
  cluster.fork(1, workerRegistry(2));
  const doomed = cluster.fork(2, workerRegistry(5));
  await new Promise(setImmediate);
  await collected(collector);
  doomed.state.behaviour = 'silent';
  const pending = collected(collector);
  await new Promise(setImmediate);
  doomed.exit();
  const e = await pending;
  expect(e.value('promwire_cluster_worker_timeouts_total')).toBe(1);
  expect(e.value('jobs_total', { a: 'x', b: 'y' })).toBe(7);
  // Its replacement starts from zero; the sum continues from 7.
  cluster.fork(3, workerRegistry(1));
  await new Promise(setImmediate);
  const after = await collected(collector);
  expect(after.value('jobs_total', { a: 'x', b: 'y' })).toBe(8);
  expect(after.value('h_seconds_count')).toBe(2 + 5 + 1);
  expect(after.value('g_sum')).toBe(3); // gauges leave with their worker
  expect(after.value('promwire_cluster_workers', { state: 'answered' })).toBe(2);
  collector.stop();
});

test('final values sent before leaving are kept, and that worker is not asked again', async () => {
  const cluster = new StandInCluster();
  const collector = collectorOf(cluster);
  const registry = workerRegistry(2);
  const leaving = cluster.fork(1, registry);
  await new Promise(setImmediate);
  await collected(collector);
  (registry.getSingleMetric('jobs_total') as Counter).inc({ a: 'x', b: 'y' }, 40); // counted after the last scrape
  await leaving.final();
  const before = cluster.collects;
  const e = await collected(collector);
  expect(cluster.collects).toBe(before);
  expect(e.value('jobs_total', { a: 'x', b: 'y' })).toBe(42);
  expect(e.value('promwire_cluster_workers', { state: 'unregistered' })).toBe(1); // connected, no longer answering
  collector.stop();
});

test('the primary\'s own series come under worker="primary", even those the workers omit; scrapes in flight share one collection', async () => {
  const cluster = new StandInCluster();
  const primary = new Registry();
  new Gauge({ name: 'g_omit', help: 'omit', aggregator: 'omit', registers: [primary] }).set(9);
  new Counter({ name: 'jobs_total', help: 'Jobs.', labelNames: ['a', 'b'], registers: [primary] }).inc({ a: 'x', b: 'y' }, 100);
  const collector = collectorOf(cluster, 60000, primary);
  cluster.fork(1, workerRegistry(2));
  cluster.fork(2, workerRegistry(3));
  await new Promise(setImmediate);
  const [one, two] = await Promise.all([collector.collect(), collector.collect()]);
  expect(one).toBe(two);
  expect(cluster.collects).toBe(2);
  const e = parseExposition(renderSnapshots(one, false));
  expect(e.value('jobs_total', { worker: 'primary' })).toBe(100);
  expect(e.find('jobs_total').filter((s) => s.labels.worker === undefined).map((s) => s.value)).toEqual([5]);
  expect(e.value('g_omit', { worker: 'primary' })).toBe(9);
  collector.stop();
});

describe('clusterMetrics() in a process that is not a worker', () => {
  test('serves its own metrics under worker="primary" through the shared endpoint: negotiation, gzip, auth', async () => {
    const registry = new Registry();
    const recorder = createHttpMetrics({ registry, defaultMetrics: false, routeOf: () => '/a' });
    recorder.end(recorder.begin({}, {}, { method: 'GET', headers: {} })!, 200);
    const auth: MetricsAuth = { bearer: 'token' };
    const served = await clusterMetrics({ port: 0, host: '127.0.0.1', registry, auth, defaultMetrics: false });
    try {
      expect(served.role).toBe('primary');
      if (served.role !== 'primary') return;
      expect((await request(served.url)).status).toBe(401);
      const headers = { authorization: 'Bearer token', 'accept-encoding': 'gzip', accept: 'application/openmetrics-text' };
      const reply = await request(served.url, { headers });
      expect([reply.status, reply.headers['content-encoding'], reply.headers['content-type']]).toEqual([200, 'gzip', 'application/openmetrics-text; version=1.0.0; charset=utf-8']);
      const e = parseExposition(reply.body);
      expect(e.value('http_requests_total', { route: '/a', worker: 'primary' })).toBe(1);
      expect(e.value('promwire_cluster_workers', { state: 'answered' })).toBe(0);
      expect(reply.body.endsWith('# EOF\n')).toBe(true);
    } finally {
      await served.close();
    }
  });

  test.each([
    [{ workerTimeoutMs: 0 }, /workerTimeoutMs must be a positive number of milliseconds, got number 0/],
    [{ port: 70000 }, /port must be an integer 0–65535/],
    [{ prefix: 'x_' }, /"prefix" is an option of the HTTP recorder .* not of clusterMetrics/],
    [{ auth: { bearer: '' } }, /auth.bearer must be a non-empty string/],
    [{ registry: {} }, /registry must be a prom-client Registry/],
    [{ defaultMetrics: 'yes' }, /defaultMetrics must be a boolean/],
  ])('%j is refused with a TypeError', async (options, message) => {
    const error = await clusterMetrics(options as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/^@promwire\/core: /);
    expect((error as Error).message).toMatch(message);
  });
});
