/**
 * `clusterMetrics()`: one scrape target for a Node `cluster`. Called in the primary, it serves the
 * combined metrics of every worker on one port, through the same endpoint as
 * `startMetricsServer` (negotiation, gzip, auth, single flight). Called in a worker, it answers
 * the primary over the cluster's IPC channel and binds nothing. The same call serves both, so an
 * app (or a preload) can make it before or after `cluster.fork()`, with options from the
 * environment.
 *
 * Restarts: what a worker counted stays counted. When a worker exits (crash, kill, restart), the
 * primary keeps the counters and histograms of its last answer and adds them to every later
 * scrape, so `sum(http_requests_total)` never goes back, and `rate()` sees no reset. What a
 * worker counted after its last answer is lost, unless it calls `close()` before exiting (which
 * sends its final values). Its gauges leave with it. Restarting the primary resets every series,
 * as restarting a single process does.
 */
import type { MetricObjectWithValues, Registry } from '../prom';
import { type ClientName, ensureDefaultMetrics, isRegistry, registryFor } from '../prom';
import { type MetricsAuth, createAuthCheck } from '../auth';
import { endpointOf } from '../endpoint';
import { renderSnapshotsInTurns } from '../exposition';
import { type MetricsServer, checkListenOptions, serveEndpoint } from '../metrics-server';
import { checkEntryKeys, describe, optionError } from '../options';
import { type ClusterLike, ClusterCollector } from './primary';
import { answerPrimary } from './worker';

/** How long a scrape waits for the workers by default, in milliseconds. */
export const DEFAULT_WORKER_TIMEOUT_MS = 3000;

/** The label the primary's own series carry, and its value. */
export const PRIMARY_LABEL = 'worker';
export const PRIMARY_VALUE = 'primary';

const KEYS = ['port', 'host', 'path', 'auth', 'registry', 'client', 'workerTimeoutMs', 'defaultMetrics'];

/** Options of {@link clusterMetrics}. The server options are read in the primary only. */
export interface ClusterMetricsOptions {
  /** Port of the primary's metrics server. Default 9464; 0 picks a free port. */
  port?: number;
  /** Default: all interfaces, as Node's `listen`. */
  host?: string;
  /** Default `/metrics`. */
  path?: string;
  /** Protects the primary's endpoint; see {@link MetricsAuth}. */
  auth?: MetricsAuth;
  /**
   * In a worker: the registry it answers with (the one its recorders write to). In the
   * primary: the primary's own registry, served with `worker="primary"` on every series.
   * Default: the client's global registry.
   */
  registry?: Registry;
  /** Which client's global registry to use when no `registry` is given; see `HttpMetricsOptions.client`. */
  client?: ClientName;
  /**
   * How long a scrape waits for the workers, in milliseconds; a worker that has not answered
   * by then is counted in `promwire_cluster_worker_timeouts_total` and served from its last
   * answer. Default 3000 (below Prometheus's default 10 s scrape timeout).
   */
  workerTimeoutMs?: number;
  /** In the primary: register the client's default process metrics in `registry`. Default true. */
  defaultMetrics?: boolean;
}

/** `clusterMetrics()` in the primary: the running metrics server. */
export interface ClusterPrimary extends MetricsServer {
  readonly role: 'primary';
  /** The combined metrics one scrape serves, as `get()` answers (shared with a scrape in flight). */
  collect(): Promise<MetricObjectWithValues[]>;
}

/** `clusterMetrics()` in a worker: the responder to the primary. */
export interface ClusterWorker {
  readonly role: 'worker';
  /** Sends the primary this worker's final values and stops answering; call it before exiting. */
  close(): Promise<void>;
}

/**
 * In a cluster primary (or any process that is not a worker): starts a metrics server serving
 * the combined metrics of every worker that calls `clusterMetrics()`, plus the primary's own
 * under `worker="primary"`. In a worker: answers the primary, binds no port. Rejects with a
 * `TypeError` on bad options; in the primary, rejects if the port cannot be bound.
 *
 * Counters and histograms are summed; every other metric is combined by the aggregator it
 * declares (prom-client's `aggregator`: sum, first, min, max, average, omit); promwire's
 * in-flight gauges are summed. A worker that misses `workerTimeoutMs` does not fail the scrape.
 *
 * @example
 * import cluster from 'node:cluster';
 * import { clusterMetrics } from '@promwire/core';
 *
 * if (cluster.isPrimary) {
 *   for (let i = 0; i < 4; i++) cluster.fork();
 *   await clusterMetrics({ port: 9464 }); // serves every worker's metrics
 * } else {
 *   await clusterMetrics(); // answers the primary
 *   app.use(metrics({ path: false })).listen(3000);
 * }
 */
export async function clusterMetrics(options: ClusterMetricsOptions = {}): Promise<ClusterPrimary | ClusterWorker> {
  const pkg = '@promwire/core';
  checkEntryKeys(pkg, 'clusterMetrics', options, KEYS);
  if (options.registry !== undefined && !isRegistry(options.registry)) {
    throw optionError(pkg, `registry must be a prom-client Registry or an @prometheus-io/client Registry, got ${describe(options.registry)}`);
  }
  const where = checkListenOptions(pkg, options);
  const timeoutMs = options.workerTimeoutMs ?? DEFAULT_WORKER_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > 2 ** 31 - 1) {
    throw optionError(pkg, `workerTimeoutMs must be a positive number of milliseconds, got ${describe(timeoutMs)}`);
  }
  if (options.defaultMetrics !== undefined && typeof options.defaultMetrics !== 'boolean') {
    throw optionError(pkg, `defaultMetrics must be a boolean, got ${describe(options.defaultMetrics)}`);
  }
  createAuthCheck(pkg, options.auth); // checked in workers too: one configuration, both roles
  const registry = registryFor(pkg, options.registry, options.client);
  // Loaded when called: some application servers (Passenger) break when `cluster` is imported.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cluster = require('node:cluster') as ClusterLike & { isWorker: boolean };

  if (cluster.isWorker) {
    const close = answerPrimary(registry);
    return { role: 'worker', close };
  }

  if (options.defaultMetrics !== false) ensureDefaultMetrics(registry, pkg);
  const collector = new ClusterCollector(cluster, { timeoutMs, primaryMetrics: () => labelled(registry) });
  const endpoint = endpointOf(pkg, options.auth, async (openMetrics) => renderSnapshotsInTurns(await collector.collect(), openMetrics));
  collector.start();
  let server: MetricsServer;
  try {
    server = await serveEndpoint(endpoint, where);
  } catch (error) {
    collector.stop();
    throw error;
  }
  return {
    role: 'primary',
    server: server.server,
    port: server.port,
    url: server.url,
    collect: () => collector.collect(),
    close: async () => {
      collector.stop();
      await server.close();
    },
  };
}

/** The primary's own metrics, `worker="primary"` added to every series. */
async function labelled(registry: Registry): Promise<MetricObjectWithValues[]> {
  const metrics = (await registry.getMetricsAsJSON()) as MetricObjectWithValues[];
  return metrics.map((metric) => ({
    ...metric,
    values: metric.values.map((sample) => ({ ...sample, labels: { ...sample.labels, [PRIMARY_LABEL]: PRIMARY_VALUE } })),
  }));
}
