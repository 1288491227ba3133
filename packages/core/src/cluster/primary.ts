/**
 * The primary side of cluster aggregation: asks every worker that answers metrics for its
 * values, waits up to a deadline, and combines what came back with what it knows of the rest.
 *
 * Per worker the primary keeps the last values it answered with. At a scrape:
 * - a worker that answers in time contributes its fresh values;
 * - a worker that does not (late, stopped, busy, or gone while asked) is counted in
 *   `promwire_cluster_worker_timeouts_total` and contributes the counters and histograms of its
 *   last answer, so that no sum goes back; its gauges are left out;
 * - a worker that has exited contributes, for good, the counters and histograms of its last
 *   answer (or of the `final` values it sent before leaving), through {@link Retained}.
 *
 * Concurrent scrapes share one collection in flight.
 */
import type { EventEmitter } from 'node:events';
import type { MetricObjectWithValues } from '../prom';
import { CounterFamily } from '../counter';
import { GaugeFamily } from '../gauge';
import { SeriesIndex } from '../series-index';
import { Combiner, Retained } from './aggregate';
import { COLLECT, ERROR, FINAL, HELLO, METRICS, READY, type ToWorker, type WireMetric, encodeMetrics, isOurs } from './protocol';

/** What the primary uses of a `cluster` worker. */
export interface WorkerLike {
  readonly id: number;
  isConnected(): boolean;
  send(message: ToWorker, sendHandle?: undefined, options?: object, callback?: (error: Error | null) => void): boolean;
}

/** What the primary uses of the `cluster` module (an `EventEmitter` of `message`, `exit`). */
export interface ClusterLike extends EventEmitter {
  readonly workers?: NodeJS.Dict<WorkerLike>;
}

export const TIMEOUTS_METRIC = 'promwire_cluster_worker_timeouts_total';
export const ERRORS_METRIC = 'promwire_cluster_worker_errors_total';
export const WORKERS_METRIC = 'promwire_cluster_workers';

interface WorkerState {
  worker: WorkerLike;
  /** The last values it answered with. */
  last: WireMetric[] | undefined;
  /** The collection it last answered. */
  answered: number;
}

interface Collection {
  id: number;
  waiting: Set<number>;
  failed: Set<number>;
  done: () => void;
}

/** Options of a {@link ClusterCollector}. */
export interface CollectorOptions {
  /** How long a scrape waits for the workers, in milliseconds. */
  timeoutMs: number;
  /** The primary's own metrics, each series with `worker="primary"` added (empty when none). */
  primaryMetrics: () => Promise<MetricObjectWithValues[]>;
}

export class ClusterCollector {
  private readonly workers = new Map<number, WorkerState>();
  private readonly retained = new Retained();
  private readonly collections = new Map<number, Collection>();
  private nextId = 1;
  private inFlight: Promise<MetricObjectWithValues[]> | undefined;
  private readonly timeouts = new CounterFamily(TIMEOUTS_METRIC, 'Times a cluster worker did not answer a scrape in time; its last counters and histograms were served.', new SeriesIndex([]));
  private readonly errors = new CounterFamily(ERRORS_METRIC, 'Times a cluster worker answered a scrape with an error (a collector threw); its last counters and histograms were served.', new SeriesIndex([]));
  private readonly state = new GaugeFamily(WORKERS_METRIC, 'Cluster workers at the last scrape, by state: answered, late (timed out or failed), unregistered (not answering metrics).', new SeriesIndex(['state']));
  private readonly onMessage = (worker: WorkerLike, message: unknown): void => this.message(worker, message);
  private readonly onExit = (worker: WorkerLike): void => this.exit(worker);

  constructor(
    private readonly cluster: ClusterLike,
    private readonly options: CollectorOptions,
  ) {
    for (const family of [this.timeouts, this.errors, this.state]) family.index.attach(family);
    this.timeouts.index.id([]);
    this.errors.index.id([]);
  }

  /** Starts listening, and asks the workers already running to say whether they answer. */
  start(): void {
    this.cluster.on('message', this.onMessage);
    this.cluster.on('exit', this.onExit);
    for (const worker of Object.values(this.cluster.workers ?? {})) {
      if (worker?.isConnected()) this.send(worker, { type: HELLO });
    }
  }

  stop(): void {
    this.cluster.off('message', this.onMessage);
    this.cluster.off('exit', this.onExit);
    for (const collection of this.collections.values()) collection.done();
  }

  /** Every worker's metrics combined, the primary's own, and the cluster's metrics. */
  collect(): Promise<MetricObjectWithValues[]> {
    if (this.inFlight === undefined) {
      const running = this.gather();
      this.inFlight = running;
      const settled = (): void => {
        if (this.inFlight === running) this.inFlight = undefined;
      };
      running.then(settled, settled);
    }
    return this.inFlight;
  }

  private async gather(): Promise<MetricObjectWithValues[]> {
    const id = this.nextId++;
    const asked = [...this.workers.values()].filter((w) => w.worker.isConnected()).sort((a, b) => a.worker.id - b.worker.id);
    const failed = new Set<number>();
    await new Promise<void>((resolve) => {
      const waiting = new Set(asked.map((w) => w.worker.id));
      const timer = setTimeout(() => done(), this.options.timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.collections.delete(id);
        resolve();
      };
      this.collections.set(id, { id, waiting, failed, done });
      if (waiting.size === 0) return done();
      for (const w of asked) this.send(w.worker, { type: COLLECT, id }, () => this.answered(id, w.worker.id, true));
    });
    const primary = await this.options.primaryMetrics();

    // What each source contributes is decided in one synchronous pass, so that a worker leaving
    // during the combining below (which yields) is counted once: live, or in `retained`.
    const sources: { metrics: WireMetric[]; cumulativeOnly: boolean }[] = [];
    let answered = 0;
    let late = 0;
    for (const w of asked) {
      // A worker that has gone since is in `retained` already, whatever it answered.
      const present = this.workers.get(w.worker.id) === w;
      if (w.answered === id) {
        answered++;
        if (present) sources.push({ metrics: w.last!, cumulativeOnly: false });
        continue;
      }
      late++;
      if (failed.has(w.worker.id)) this.errors.values[0]!++;
      else this.timeouts.values[0]!++;
      if (present && w.last !== undefined) sources.push({ metrics: w.last, cumulativeOnly: true });
    }
    // Disconnected but not yet exited (a graceful shutdown): its last counters and histograms.
    for (const w of this.workers.values()) {
      if (!asked.includes(w) && w.last !== undefined) sources.push({ metrics: w.last, cumulativeOnly: true });
    }
    sources.push({ metrics: [...this.retained.values], cumulativeOnly: false });
    const combiner = new Combiner();
    for (const source of sources) await combiner.addInTurns(source.metrics, source.cumulativeOnly);
    combiner.add(encodeMetrics(primary), false, true);
    const registered = new Set(this.workers.keys());
    const unregistered = Object.values(this.cluster.workers ?? {}).filter((w) => w !== undefined && w.isConnected() && !registered.has(w.id)).length;
    this.setState('answered', answered);
    this.setState('late', late);
    this.setState('unregistered', unregistered);
    return [...combiner.result(), this.timeouts.get(), this.errors.get(), this.state.get()];
  }

  private setState(state: string, value: number): void {
    this.state.set([state], value);
  }

  /** A worker's answer (or failure) to collection `id`. */
  private answered(id: number, workerId: number, failed: boolean): void {
    const collection = this.collections.get(id);
    if (collection === undefined || !collection.waiting.delete(workerId)) return;
    if (failed) collection.failed.add(workerId);
    if (collection.waiting.size === 0) collection.done();
  }

  private message(worker: WorkerLike, message: unknown): void {
    if (!isOurs(message)) return;
    if (message.type === READY) {
      if (!this.workers.has(worker.id)) this.workers.set(worker.id, { worker, last: undefined, answered: 0 });
      return;
    }
    const state = this.workers.get(worker.id);
    if (state === undefined) return;
    const id = typeof message.id === 'number' ? message.id : -1;
    const metrics = Array.isArray(message.metrics) ? (message.metrics as WireMetric[]) : undefined;
    if (message.type === METRICS && metrics !== undefined) {
      if (!this.collections.get(id)?.waiting.has(worker.id)) return; // too late: the scrape was answered
      state.last = metrics;
      state.answered = id;
      this.answered(id, worker.id, false);
    } else if (message.type === ERROR) {
      this.answered(id, worker.id, true);
    } else if (message.type === FINAL && metrics !== undefined) {
      state.last = metrics;
      this.depart(worker.id);
    }
  }

  private exit(worker: WorkerLike): void {
    this.depart(worker.id);
  }

  /** A worker has gone (or said its final word): its counters and histograms are retained. */
  private depart(workerId: number): void {
    const state = this.workers.get(workerId);
    if (state === undefined) return;
    this.workers.delete(workerId);
    if (state.last !== undefined) this.retained.add(state.last);
    for (const collection of this.collections.values()) this.answered(collection.id, workerId, false);
  }

  private send(worker: WorkerLike, message: ToWorker, onError?: () => void): void {
    try {
      worker.send(message, undefined, {}, (error) => {
        if (error) onError?.();
      });
    } catch {
      onError?.();
    }
  }
}
