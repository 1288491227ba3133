/**
 * The options every adapter shares, and their validation: once, at construction, with one
 * `TypeError` prefixed by the calling package's name.
 */
import type { IncomingMessage } from 'node:http';
import { type ClientName, type Registry, exponentialBuckets, isRegistry, registryFor } from './prom';
import { isValidLabelName, isValidMetricName } from './labels';
import type { MetricsAuth } from './auth';
import { type NativeHistogramOptions, type NativeSettings, resolveNativeSettings } from './native/native-options';

/** A custom label: a fixed value, or a function of the framework's request and response. */
export type LabelValue<Req, Res> = string | ((req: Req, res: Res) => string);

/** Options of the HTTP recorder, shared by every adapter. */
export interface HttpMetricsOptions<Req = IncomingMessage, Res = unknown> extends NativeHistogramOptions {
  /** Registry to record into (a prom-client or @prometheus-io/client one). Default: the client's global registry. */
  registry?: Registry;
  /**
   * Which client's global registry to use when no `registry` is given. Default: `PROMWIRE_CLIENT`,
   * else the one installed; with both installed, `'@prometheus-io/client'` and a warning.
   */
  client?: ClientName;
  /** Prepended to every metric name, e.g. `myapp_`. Default `''`. */
  prefix?: string;
  /** `'default'` (`http_requests_total` …) or `'otel'` (OpenTelemetry semantic-convention names). */
  naming?: 'default' | 'otel';
  /** Upper bounds of the duration histogram, in seconds. Default: OpenTelemetry's. */
  durationBuckets?: readonly number[];
  /** Upper bounds of the size histograms, in bytes. Default `exponentialBuckets(64, 4, 10)`. */
  sizeBuckets?: readonly number[];
  /** Record `http_request_size_bytes` (from `Content-Length`). Default false. */
  requestSize?: boolean;
  /** Record `http_response_size_bytes` (bytes actually written). Default false. */
  responseSize?: boolean;
  /** Record `"2xx"` … `"5xx"` instead of the exact status. Default false. */
  groupStatusCodes?: boolean;
  /**
   * Extra labels on the request metrics. A function runs once per request when it finishes;
   * if it throws or returns a non-string the value is `""` and the request is unaffected.
   */
  labels?: Readonly<Record<string, LabelValue<Req, Res>>>;
  /**
   * Distinct values kept per label before `__overflow__`, counted per registry: every recorder
   * on one registry shares the allowance, and must ask for the same cap. Default 1000.
   */
  maxLabelValues?: number;
  /** Requests not recorded: matched against the route template, or the path when unmatched. */
  exclude?: readonly (string | RegExp)[];
  /** Requests not recorded at all, decided when they arrive. A throw counts as `false`. */
  skip?: (req: Req, res: Res) => boolean;
  /** Register the client's default process metrics (once per registry). Default true. */
  defaultMetrics?: boolean;
  /** Attach `trace_id` exemplars to OpenMetrics scrapes. Default true. */
  exemplars?: boolean;
}

/** Options of the `/metrics` endpoint an adapter mounts. */
export interface EndpointOptions {
  /** Where `/metrics` is served; `false` mounts nothing. Default `'/metrics'`. */
  path?: string | false;
  /** Protects the endpoint; see {@link MetricsAuth}. */
  auth?: MetricsAuth;
}

/** The options of an adapter: recorder and endpoint in one object. */
export interface MetricsOptions<Req = IncomingMessage, Res = unknown>
  extends HttpMetricsOptions<Req, Res>,
    EndpointOptions {}

/** Duration buckets in seconds: OpenTelemetry's HTTP server defaults. */
export const DEFAULT_DURATION_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];
/** Size buckets in bytes: 64 B to 16 MiB, by powers of 4. */
export const DEFAULT_SIZE_BUCKETS: readonly number[] = exponentialBuckets(64, 4, 10);
/** Distinct values kept per label before `__overflow__`. */
export const DEFAULT_MAX_LABEL_VALUES = 1000;
/** Where adapters mount the endpoint unless `path` says otherwise. */
export const DEFAULT_METRICS_PATH = '/metrics';

/** Options read by the recorder (`createHttpMetrics`). */
export const RECORDER_KEYS: readonly string[] = [
  'registry', 'prefix', 'naming', 'durationBuckets', 'sizeBuckets', 'requestSize', 'responseSize',
  'groupStatusCodes', 'labels', 'maxLabelValues', 'exclude', 'skip', 'defaultMetrics', 'exemplars', 'client',
  'histograms', 'nativeHistogramBucketFactor', 'nativeHistogramZeroThreshold', 'nativeHistogramMaxBuckets',
];
/** The native-histogram options (see `NativeHistogramOptions`), part of {@link RECORDER_KEYS}. */
export const NATIVE_KEYS: readonly string[] = RECORDER_KEYS.slice(RECORDER_KEYS.indexOf('histograms'));
/** Options of the `/metrics` endpoint an adapter mounts. */
export const ENDPOINT_KEYS: readonly string[] = ['path', 'auth'];
/** Options of `startMetricsServer`. */
export const SERVER_KEYS: readonly string[] = ['port', 'host', 'path', 'registry', 'client', 'auth'];
/** Options of `createMetricsEndpoint` and `metricsHandler`. */
export const METRICS_ENDPOINT_KEYS: readonly string[] = ['registry', 'client', 'auth', 'pkg'];

/** Recorder options after validation, with defaults filled in. */
export interface ResolvedHttpOptions<Req, Res> {
  pkg: string;
  registry: Registry;
  prefix: string;
  naming: 'default' | 'otel';
  durationBuckets: readonly number[];
  sizeBuckets: readonly number[];
  requestSize: boolean;
  responseSize: boolean;
  groupStatusCodes: boolean;
  labels: readonly [string, LabelValue<Req, Res>][];
  maxLabelValues: number;
  exclude: readonly (string | RegExp)[];
  skip: ((req: Req, res: Res) => boolean) | undefined;
  defaultMetrics: boolean;
  exemplars: boolean;
  /** Native buckets of the duration and size histograms; undefined with `histograms: 'classic'`. */
  native: NativeSettings | undefined;
}

/** The one kind of error bad options get: a `TypeError` whose message starts with the package name. */
export function optionError(pkg: string, message: string): TypeError {
  return new TypeError(`${pkg}: ${message}`);
}

/**
 * Checks that `options` is an object with no key outside the recorder's, the endpoint's and
 * `extraKeys` (an adapter's own options), so a misspelt option fails loudly.
 */
export function checkOptionKeys(pkg: string, options: unknown, extraKeys: readonly string[] = []): Record<string, unknown> {
  return checkEntryKeys(pkg, undefined, options, [...RECORDER_KEYS, ...ENDPOINT_KEYS, ...extraKeys]);
}

/**
 * Checks that `options` is an object whose keys are all among `accepted`, the options of the
 * entry point named `entry` (e.g. `'startMetricsServer'`). A recorder option given to an entry
 * point that does not record (`startMetricsServer({ prefix })`) is named as such, so the user
 * learns where it belongs rather than only that it is unknown.
 */
export function checkEntryKeys(
  pkg: string,
  entry: string | undefined,
  options: unknown,
  accepted: readonly string[],
): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw optionError(pkg, `options must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (accepted.includes(key)) continue;
    if (entry === undefined) throw optionError(pkg, `unknown option "${key}"`);
    const accepts = `${entry} accepts ${accepted.join(', ')}`;
    if (RECORDER_KEYS.includes(key)) {
      throw optionError(pkg, `"${key}" is an option of the HTTP recorder (the adapter's metrics() or createHttpMetrics), not of ${entry}; ${accepts}`);
    }
    throw optionError(pkg, `unknown option "${key}" (${accepts})`);
  }
  return options as Record<string, unknown>;
}

export function resolveHttpOptions<Req, Res>(
  pkg: string,
  options: HttpMetricsOptions<Req, Res> | undefined,
  builtInLabels: readonly string[],
): ResolvedHttpOptions<Req, Res> {
  const o = (options ?? {}) as Record<string, unknown>;
  const { registry, prefix, maxLabelValues } = resolveRecorderBasics(pkg, o);
  const naming = o.naming ?? 'default';
  if (naming !== 'default' && naming !== 'otel') {
    throw optionError(pkg, `naming must be 'default' or 'otel', got ${describe(naming)}`);
  }
  const skip = o.skip;
  if (skip !== undefined && typeof skip !== 'function') {
    throw optionError(pkg, `skip must be a function, got ${describe(skip)}`);
  }
  return {
    pkg,
    registry,
    prefix,
    naming,
    durationBuckets: buckets(pkg, o, 'durationBuckets', DEFAULT_DURATION_BUCKETS),
    sizeBuckets: buckets(pkg, o, 'sizeBuckets', DEFAULT_SIZE_BUCKETS),
    requestSize: optional(pkg, o, 'requestSize', 'boolean', false),
    responseSize: optional(pkg, o, 'responseSize', 'boolean', false),
    groupStatusCodes: optional(pkg, o, 'groupStatusCodes', 'boolean', false),
    labels: customLabels<Req, Res>(pkg, o.labels, builtInLabels),
    maxLabelValues,
    exclude: exclusions(pkg, o.exclude),
    skip: skip as ((req: Req, res: Res) => boolean) | undefined,
    defaultMetrics: optional(pkg, o, 'defaultMetrics', 'boolean', true),
    exemplars: optional(pkg, o, 'exemplars', 'boolean', true),
    native: resolveNativeSettings(pkg, o),
  };
}

/** What every promwire recorder (HTTP, ML) is told: where to record, a name prefix, the label cap. */
export interface RecorderBasics {
  registry: Registry;
  prefix: string;
  maxLabelValues: number;
}

/**
 * Checks `registry`, `client`, `prefix` and `maxLabelValues` of a recorder's options and fills in
 * their defaults (the client's global registry, `''`, 1000). Throws a `TypeError` prefixed with `pkg`.
 */
export function resolveRecorderBasics(pkg: string, o: Readonly<Record<string, unknown>>): RecorderBasics {
  const registry = o.registry;
  if (registry !== undefined && !isRegistry(registry)) {
    throw optionError(pkg, `registry must be a prom-client Registry or an @prometheus-io/client Registry, got ${describe(registry)}`);
  }
  const prefix = optional(pkg, o, 'prefix', 'string', '');
  if (prefix !== '' && !isValidMetricName(`${prefix}x`)) {
    throw optionError(pkg, `prefix "${prefix}" would make invalid metric names (use [a-zA-Z0-9_:], not starting with a digit)`);
  }
  const maxLabelValues = o.maxLabelValues ?? DEFAULT_MAX_LABEL_VALUES;
  if (typeof maxLabelValues !== 'number' || !Number.isInteger(maxLabelValues) || maxLabelValues < 1) {
    throw optionError(pkg, `maxLabelValues must be a positive integer, got ${describe(maxLabelValues)}`);
  }
  return { registry: registryFor(pkg, registry as Registry | undefined, o.client), prefix, maxLabelValues };
}

/**
 * The histogram bounds of option `key`: `fallback` when absent, else a frozen copy after checking
 * they are finite and strictly increasing. Throws a `TypeError` prefixed with `pkg`.
 */
export function resolveBuckets(pkg: string, o: Readonly<Record<string, unknown>>, key: string, fallback: readonly number[]): readonly number[] {
  return buckets(pkg, o, key, fallback);
}

/** The endpoint path: `'/metrics'` by default, `false` for none. */
export function resolvePath(pkg: string, path: unknown): string | false {
  if (path === undefined) return DEFAULT_METRICS_PATH;
  if (path === false) return false;
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw optionError(pkg, `path must be a string starting with "/" or false, got ${describe(path)}`);
  }
  return path;
}

function optional<T extends string | boolean>(
  pkg: string,
  o: Readonly<Record<string, unknown>>,
  key: string,
  type: 'string' | 'boolean',
  fallback: T,
): T {
  const value = o[key];
  if (value === undefined) return fallback;
  if (typeof value !== type) throw optionError(pkg, `${key} must be a ${type}, got ${describe(value)}`);
  return value as T;
}

function buckets(pkg: string, o: Readonly<Record<string, unknown>>, key: string, fallback: readonly number[]): readonly number[] {
  const value = o[key];
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || value.length === 0) {
    throw optionError(pkg, `${key} must be a non-empty array of numbers, got ${describe(value)}`);
  }
  for (let i = 0; i < value.length; i++) {
    const b: unknown = value[i];
    if (typeof b !== 'number' || !Number.isFinite(b)) {
      throw optionError(pkg, `${key}[${i}] must be a finite number, got ${describe(b)}`);
    }
    if (i > 0 && b <= (value[i - 1] as number)) {
      throw optionError(pkg, `${key} must be strictly increasing, but ${value[i - 1]} is followed by ${b}`);
    }
  }
  return Object.freeze([...(value as number[])]);
}

function customLabels<Req, Res>(
  pkg: string,
  labels: unknown,
  builtIn: readonly string[],
): [string, LabelValue<Req, Res>][] {
  if (labels === undefined) return [];
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
    throw optionError(pkg, `labels must be an object of name: value or (req, res) => value, got ${describe(labels)}`);
  }
  const out: [string, LabelValue<Req, Res>][] = [];
  for (const [name, value] of Object.entries(labels)) {
    if (!isValidLabelName(name)) {
      throw optionError(pkg, `label name "${name}" is not a valid Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)`);
    }
    if (builtIn.includes(name) || name === 'le') {
      throw optionError(pkg, `label name "${name}" clashes with a built-in label (${[...builtIn, 'le'].join(', ')})`);
    }
    if (typeof value !== 'string' && typeof value !== 'function') {
      throw optionError(pkg, `label "${name}" must be a string or a function, got ${describe(value)}`);
    }
    out.push([name, value as LabelValue<Req, Res>]);
  }
  return out;
}

function exclusions(pkg: string, exclude: unknown): (string | RegExp)[] {
  if (exclude === undefined) return [];
  if (!Array.isArray(exclude)) throw optionError(pkg, `exclude must be an array of strings and RegExps, got ${describe(exclude)}`);
  exclude.forEach((e: unknown, i) => {
    if (typeof e !== 'string' && !(e instanceof RegExp)) {
      throw optionError(pkg, `exclude[${i}] must be a string or a RegExp, got ${describe(e)}`);
    }
  });
  // A global or sticky RegExp keeps state between `test` calls: use a stateless copy.
  return (exclude as (string | RegExp)[]).map((e) => (e instanceof RegExp && /[gy]/.test(e.flags) ? new RegExp(e.source, e.flags.replace(/[gy]/g, '')) : e));
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value)})`;
  return `${typeof value} ${String(value)}`;
}
