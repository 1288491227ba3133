/**
 * `pushMetrics()`: a registry pushed to a Prometheus Pushgateway, for batch jobs and processes
 * too short-lived to be scraped. `push` replaces the group (PUT), `pushAdd` replaces only the
 * metrics it carries (POST), `delete` removes the group (DELETE); plus a push on an interval, a
 * push at exit, and a job run that pushes its success time and duration.
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { type MetricObjectWithValues, findMetric } from '../prom';
import { PROMETHEUS_CONTENT_TYPE, renderRegistry, renderSnapshots } from '../exposition';
import { describe, optionError } from '../options';
import { type PushOptions, type ResolvedPushOptions, resolvePushOptions } from './push-options';
import { PROTOBUF_CONTENT_TYPE, encodeProtobuf } from './protobuf';
import { jobMetrics } from './job-metrics';
import { send } from './send';
import { type ExitPushOptions, type PushSchedule, pushAtExit, pushEvery } from './schedules';
import type { PushgatewayError } from './push-error';

const gzipAsync = promisify(gzip);

/** Bodies from this size on are gzipped unless `gzip: false`. */
export const GZIP_THRESHOLD_BYTES = 16 * 1024;

/** Per-call options of push, pushAdd and delete. */
export interface PushCallOptions {
  /** Aborts the push, its retries included. */
  signal?: AbortSignal;
}

/** The methods that send the registry. */
export type PushMethod = 'push' | 'pushAdd';

/** A registry bound to one Pushgateway group; see {@link pushMetrics}. */
export interface MetricsPusher {
  /** PUT: the group becomes exactly the registry's metrics. Rejects with a {@link PushgatewayError}. */
  push(options?: PushCallOptions): Promise<void>;
  /** POST: the registry's metrics replace those of the same name in the group; others stay. */
  pushAdd(options?: PushCallOptions): Promise<void>;
  /** DELETE: removes the whole group from the gateway. */
  delete(options?: PushCallOptions): Promise<void>;
  /**
   * Pushes every `intervalMs` milliseconds (the next push is timed from the end of the last),
   * on an unref'd timer: it never keeps the process alive. Failures go to `onError`. `stop()`
   * cancels the timer and aborts a push in flight.
   */
  pushEvery(intervalMs: number, options?: { method?: PushMethod }): PushSchedule;
  /**
   * Pushes once when the process is about to end: on `beforeExit` (the event loop ran dry) or
   * on one of `signals` (default SIGTERM), within `timeoutMs` (default 5000). See
   * {@link ExitPushOptions} for what happens to the signal.
   */
  pushAtExit(options?: ExitPushOptions): { cancel(): void };
  /**
   * Runs a batch job and pushes the registry with the run's metrics: on success (PUT, or
   * `method`) `job_last_success_timestamp_seconds` and `job_duration_seconds`; on failure (POST,
   * so the last success time stays in the gateway) `job_last_failure_timestamp_seconds` and
   * `job_duration_seconds`. Resolves with the job's result, or rejects with its error exactly as
   * thrown (the push's failure then goes to `onError`); a failed push after a successful job
   * rejects with the {@link PushgatewayError}.
   */
  runJob<T>(job: () => T | Promise<T>, options?: { method?: PushMethod }): Promise<T>;
}

/**
 * A pusher of `registry` (default: the client's global registry) to the group `jobName` +
 * `groupings` of the Pushgateway at `url`. Options are checked here, once: a bad one throws a
 * `TypeError` prefixed `@promwire/core:`. Nothing is sent until a method is called.
 *
 * Requests use node's `http`/`https`; each attempt has `timeoutMs`; a network error, a timeout
 * or a 5xx answer is retried `retries` times with exponential backoff and jitter; a 4xx answer is
 * not (the gateway's message is in the error's `body`). The body is the text format 0.0.4 (or
 * protobuf with `format: 'protobuf'`), gzipped from 16 KiB.
 *
 * @example
 * const pusher = pushMetrics({ url: 'http://pushgateway:9091', jobName: 'nightly-backup', groupings: { instance: 'db-1' } });
 * await pusher.runJob(async () => backup()); // pushes job_last_success_timestamp_seconds and the registry
 */
export function pushMetrics(options: PushOptions): MetricsPusher {
  const o = resolvePushOptions(options);

  async function body(extra: MetricObjectWithValues[]): Promise<{ bytes: Buffer; type: string }> {
    if (o.format === 'protobuf') {
      const metrics = (await o.registry.getMetricsAsJSON()) as MetricObjectWithValues[];
      return { bytes: encodeProtobuf([...metrics, ...extra]), type: PROTOBUF_CONTENT_TYPE };
    }
    const text = (await renderRegistry(o.registry, false)) + renderSnapshots(extra, false);
    return { bytes: Buffer.from(text, 'utf8'), type: PROMETHEUS_CONTENT_TYPE };
  }

  async function request(method: 'PUT' | 'POST' | 'DELETE', call: PushCallOptions = {}, extra: MetricObjectWithValues[] = []): Promise<void> {
    const headers = { ...o.headers };
    let bytes: Buffer | undefined;
    if (method !== 'DELETE') {
      const made = await body(extra);
      bytes = made.bytes;
      headers['content-type'] = made.type;
      if (o.gzip ?? bytes.length >= GZIP_THRESHOLD_BYTES) {
        bytes = await gzipAsync(bytes);
        headers['content-encoding'] = 'gzip';
      }
    }
    await send({
      method, url: o.url, shownUrl: o.shownUrl, headers, body: bytes, timeoutMs: o.timeoutMs, agent: o.agent, retry: o.retry, signal: call.signal,
    });
  }

  const pusher: MetricsPusher = {
    push: (call) => request('PUT', call),
    pushAdd: (call) => request('POST', call),
    delete: (call) => request('DELETE', call),
    pushEvery(intervalMs, every = {}) {
      const method = sender(methodOf(every.method, 'push'));
      return pushEvery(intervalMs, (signal) => method({ signal }), o.onError);
    },
    pushAtExit(exit = {}) {
      const method = sender(methodOf(exit.method, 'push'));
      return pushAtExit(exit, (signal) => method({ signal }), o.onError);
    },
    runJob: (job, run = {}) => runJob(o, job, methodOf(run.method, 'push'), request),
  };
  function sender(method: PushMethod): (call: PushCallOptions) => Promise<void> {
    return method === 'push' ? pusher.push : pusher.pushAdd;
  }
  return pusher;
}

function methodOf(value: unknown, fallback: PushMethod): PushMethod {
  if (value === undefined) return fallback;
  if (value === 'push' || value === 'pushAdd') return value;
  throw optionError('@promwire/core', `method must be 'push' or 'pushAdd', got ${describe(value)}`);
}

async function runJob<T>(
  o: ResolvedPushOptions,
  job: () => T | Promise<T>,
  method: PushMethod,
  request: (method: 'PUT' | 'POST', call: PushCallOptions, extra: MetricObjectWithValues[]) => Promise<void>,
): Promise<T> {
  if (typeof job !== 'function') throw optionError('@promwire/core', `runJob needs a function, got ${describe(job)}`);
  const taken = (name: string): boolean => findMetric(o.registry, name) !== undefined;
  const start = performance.now();
  let result: T;
  try {
    result = await job();
  } catch (error) {
    const seconds = (performance.now() - start) / 1000;
    await request('POST', {}, jobMetrics(false, seconds, Date.now() / 1000, taken)).catch((pushError: PushgatewayError) => o.onError(pushError));
    throw error;
  }
  const seconds = (performance.now() - start) / 1000;
  await request(method === 'push' ? 'PUT' : 'POST', {}, jobMetrics(true, seconds, Date.now() / 1000, taken));
  return result;
}
