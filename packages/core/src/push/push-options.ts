/** Options of `pushMetrics`, checked once when the pusher is made. */
import type { Agent } from 'node:http';
import { type ClientName, type Registry, isRegistry, registryFor } from '../prom';
import { isValidLabelName } from '../labels';
import { checkEntryKeys, describe, optionError } from '../options';
import { groupingPath } from './grouping-path';
import type { PushgatewayError } from './push-error';
import type { RetryPolicy } from './send';

/** Options of {@link pushMetrics}. */
export interface PushOptions {
  /** The Pushgateway's base URL, `http://host:9091` (with its route prefix, if any). Credentials in it are sent as basic auth. */
  url: string | URL;
  /** The `job` label of the group. Non-empty. */
  jobName: string;
  /** More labels of the group (e.g. `{ instance: 'db-1' }`); a value with `/`, or empty, is sent base64-encoded. Not `job`. */
  groupings?: Readonly<Record<string, string>>;
  /** The registry to push. Default: the client's global registry. */
  registry?: Registry;
  /** Which client's global registry to push when no `registry` is given. */
  client?: ClientName;
  /**
   * The exposition sent: `'text'` (the text format 0.0.4, default) or `'protobuf'` (delimited
   * `MetricFamily`). The Pushgateway accepts exactly these two; it reads an OpenMetrics body as
   * text 0.0.4 and gets counters wrong, so promwire never sends OpenMetrics.
   */
  format?: 'text' | 'protobuf';
  /** Credentials sent to the gateway: a bearer token or basic. */
  auth?: { bearer: string } | { basic: { username: string; password: string } };
  /** Extra request headers (a proxy's, a tenant's). Content-Type and Content-Encoding are promwire's. */
  headers?: Readonly<Record<string, string>>;
  /** Deadline of one attempt, in milliseconds. Default 10000. */
  timeoutMs?: number;
  /** Attempts after the first, on a network error, a timeout or a 5xx answer (never on 4xx). Default 3. */
  retries?: number;
  /** Backoff base in milliseconds: retry n waits between half and all of `min(maxRetryDelayMs, retryDelayMs × 2ⁿ)`. Default 200. */
  retryDelayMs?: number;
  /** Longest wait between attempts, in milliseconds (also caps a Retry-After). Default 5000. */
  maxRetryDelayMs?: number;
  /** Gzip the body: true, false, or by default when it is 16 KiB or more. */
  gzip?: boolean;
  /** An `http.Agent` / `https.Agent` for the requests (TLS options, a CA, keep-alive). */
  agent?: Agent;
  /**
   * Receives the failures of pushes nobody awaits (`pushEvery`, `pushAtExit`, a failed job's
   * push in `runJob`). Default: a process warning (`PROMWIRE_PUSH_FAILED`). A throw is ignored.
   */
  onError?: (error: PushgatewayError) => void;
}

export interface ResolvedPushOptions {
  registry: Registry;
  /** The group's URL, and as shown in errors (no credentials). */
  url: URL;
  shownUrl: string;
  format: 'text' | 'protobuf';
  headers: Record<string, string>;
  timeoutMs: number;
  retry: RetryPolicy;
  gzip: boolean | undefined;
  agent: Agent | undefined;
  onError: (error: PushgatewayError) => void;
}

const KEYS = [
  'url', 'jobName', 'groupings', 'registry', 'client', 'format', 'auth', 'headers', 'timeoutMs', 'retries',
  'retryDelayMs', 'maxRetryDelayMs', 'gzip', 'agent', 'onError',
];

const PKG = '@promwire/core';

function milliseconds(name: string, value: unknown, fallback: number, zero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!zero && value === 0) || value > 2 ** 31 - 1) {
    throw optionError(PKG, `${name} must be a ${zero ? 'non-negative' : 'positive'} number of milliseconds, got ${describe(value)}`);
  }
  return value;
}

export function resolvePushOptions(options: PushOptions): ResolvedPushOptions {
  if (options === undefined) throw optionError(PKG, 'pushMetrics needs { url, jobName }');
  checkEntryKeys(PKG, 'pushMetrics', options, KEYS);
  const { jobName, groupings = {}, headers = {} } = options;
  if (typeof jobName !== 'string' || jobName === '') throw optionError(PKG, `jobName must be a non-empty string, got ${describe(jobName)}`);
  if (typeof groupings !== 'object' || groupings === null || Array.isArray(groupings)) {
    throw optionError(PKG, `groupings must be an object of label names to string values, got ${describe(groupings)}`);
  }
  for (const [name, value] of Object.entries(groupings)) {
    if (name === 'job') throw optionError(PKG, 'groupings must not contain "job": it is jobName');
    if (!isValidLabelName(name)) throw optionError(PKG, `groupings: "${name}" is not a valid label name`);
    if (typeof value !== 'string') throw optionError(PKG, `groupings.${name} must be a string, got ${describe(value)}`);
  }

  let base: URL;
  try {
    base = new URL(options.url);
  } catch {
    throw optionError(PKG, `url must be an http(s) URL of the Pushgateway, got ${describe(String(options.url))}`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw optionError(PKG, `url must be http: or https:, got ${base.protocol}`);
  if (base.search !== '' || base.hash !== '') throw optionError(PKG, 'url must not have a query or a fragment');

  const sent: Record<string, string> = {};
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) throw optionError(PKG, `headers must be an object, got ${describe(headers)}`);
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') throw optionError(PKG, `headers.${name} must be a string, got ${describe(value)}`);
    sent[name.toLowerCase()] = value;
  }
  const authorization = authHeader(options.auth, base);
  if (authorization !== undefined) sent.authorization = authorization;
  base.username = '';
  base.password = '';
  const url = new URL(`${base.pathname.replace(/\/+$/, '')}${groupingPath(jobName, groupings)}`, base);

  const format = options.format ?? 'text';
  if (format !== 'text' && format !== 'protobuf') throw optionError(PKG, `format must be 'text' or 'protobuf', got ${describe(format)}`);
  const retries = options.retries ?? 3;
  if (typeof retries !== 'number' || !Number.isInteger(retries) || retries < 0 || retries > 100) {
    throw optionError(PKG, `retries must be an integer 0–100, got ${describe(retries)}`);
  }
  if (options.gzip !== undefined && typeof options.gzip !== 'boolean') throw optionError(PKG, `gzip must be a boolean, got ${describe(options.gzip)}`);
  if (options.onError !== undefined && typeof options.onError !== 'function') throw optionError(PKG, `onError must be a function, got ${describe(options.onError)}`);
  if (options.agent !== undefined && (typeof options.agent !== 'object' || options.agent === null)) {
    throw optionError(PKG, `agent must be an http.Agent or https.Agent, got ${describe(options.agent)}`);
  }
  if (options.registry !== undefined && !isRegistry(options.registry)) {
    throw optionError(PKG, `registry must be a prom-client Registry or an @prometheus-io/client Registry, got ${describe(options.registry)}`);
  }
  const onError = options.onError;
  return {
    registry: registryFor(PKG, options.registry, options.client),
    url,
    shownUrl: url.href,
    format,
    headers: sent,
    timeoutMs: milliseconds('timeoutMs', options.timeoutMs, 10000),
    retry: {
      retries,
      delayMs: milliseconds('retryDelayMs', options.retryDelayMs, 200, true),
      maxDelayMs: milliseconds('maxRetryDelayMs', options.maxRetryDelayMs, 5000, true),
    },
    gzip: options.gzip,
    agent: options.agent,
    onError: (error) => {
      try {
        if (onError !== undefined) onError(error);
        else process.emitWarning(error.message, { type: 'PromwireWarning', code: 'PROMWIRE_PUSH_FAILED' });
      } catch {
        // A reporter that throws must not break the schedule that called it.
      }
    },
  };
}

function authHeader(auth: PushOptions['auth'], url: URL): string | undefined {
  if (auth === undefined) {
    if (url.username === '' && url.password === '') return undefined;
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    return `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
  }
  if (typeof auth === 'object' && auth !== null && 'bearer' in auth) {
    if (typeof auth.bearer !== 'string' || auth.bearer === '') throw optionError(PKG, `auth.bearer must be a non-empty string, got ${describe(auth.bearer)}`);
    return `Bearer ${auth.bearer}`;
  }
  if (typeof auth === 'object' && auth !== null && 'basic' in auth) {
    const basic = auth.basic as { username?: unknown; password?: unknown } | null;
    if (typeof basic !== 'object' || basic === null || typeof basic.username !== 'string' || typeof basic.password !== 'string') {
      throw optionError(PKG, 'auth.basic must be { username: string, password: string }');
    }
    if (basic.username.includes(':')) throw optionError(PKG, 'auth.basic.username must not contain ":"');
    return `Basic ${Buffer.from(`${basic.username}:${basic.password}`, 'utf8').toString('base64')}`;
  }
  throw optionError(PKG, `auth must be { bearer } or { basic: { username, password } }, got ${describe(auth)}`);
}
