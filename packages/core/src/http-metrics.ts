/**
 * The HTTP recorder: one per adapter instance. `begin` when a request reaches the adapter,
 * `end` once when it finishes or its client goes away. The series for each
 * (route, method, status[, custom values]) is resolved once to a series id and kept, so the
 * usual request costs one map lookup, a counter increment, a bucket increment, a sum and a
 * gauge update, all on typed arrays.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { CounterFamily } from './counter';
import { GaugeFamily } from './gauge';
import { SeriesIndex } from './series-index';
import { isFamily } from './family';
import { HistogramFamily } from './histogram';
import {
  CLIENT_CLOSED_STATUS, METHOD_VALUES, OVERFLOW_VALUE, UNMATCHED_ROUTE, capLength, methodIndexOf, statusLabel,
} from './labels';
import { type HttpNames, builtInLabelNames, httpNames } from './naming';
import { type HttpMetricsOptions, type ResolvedHttpOptions, checkOptionKeys, resolveHttpOptions } from './options';
import { ensureDefaultMetrics, findMetric } from './prom';
import { overflowCounter, registerFamily } from './registration';
import { RequestState } from './request-state';
import { traceIdReader } from './exemplar';
import { nativeSettingsRecord } from './native/native-options';

/** The parts of a raw request the recorder reads when it begins. */
export interface RawRequest {
  method?: string | undefined;
  url?: string | undefined;
  headers: IncomingHttpHeaders;
}

interface RouteEntry {
  /** The label value (the template, cut to length, or `__overflow__`). */
  value: string;
  excluded: boolean;
  /** The first (status × 16 + method) seen on this route and its series id: most routes have one. */
  firstKey: number;
  firstId: number;
  /** Series ids of the other (status × 16 + method) keys. */
  ids: Map<number, number> | undefined;
  /** With custom labels: "method\0status\0v1\0v2…" → series id. */
  custom: Map<string, number> | undefined;
}

/** Positions in the label set: method, route, status, then the custom labels. */
const ROUTE_POSITION = 1;
const STATUS_POSITION = 2;
const CUSTOM_POSITION = 3;

/**
 * GET's index in METHOD_VALUES, tested before the method lookup: most requests are GETs. (In
 * an instruction profile of Koa, `methodIndexOf` was left out of the inlined `begin` and ran
 * unoptimized, about 650 instructions a request; one comparison costs a few.)
 */
const GET_INDEX = METHOD_VALUES.indexOf('GET');

const EXCLUDED: RouteEntry = Object.freeze({ value: '', excluded: true, firstKey: -1, firstId: -1, ids: undefined, custom: undefined });

/** Options of {@link createHttpMetrics}: the shared ones plus how to find a route. */
export interface HttpRecorderOptions<Req, Res> extends HttpMetricsOptions<Req, Res> {
  /** Package name that prefixes error messages. Default `@promwire/core`. */
  pkg?: string;
  /** Keys an adapter adds to the shared options; any other unknown key is an error. */
  adapterKeys?: readonly string[];
  /**
   * The route template of a finished request, for adapters that learn it late; undefined means
   * unmatched, null leaves the request out (a route opted out of metrics). Used when the adapter
   * did not set `state.route`. A throw or any other value counts as unmatched.
   */
  routeOf?: (req: Req, res: Res) => string | null | undefined;
}

/**
 * Records HTTP requests into the metrics of SPEC.md. `Req` and `Res` are what the adapter hands
 * user callbacks (`labels`, `skip`, `routeOf`). Build it with {@link createHttpMetrics}.
 */
export class HttpRecorder<Req = unknown, Res = unknown> {
  readonly names: HttpNames;
  readonly options: ResolvedHttpOptions<Req, Res>;
  /** True when adapters should count response bytes (`responseSize`). */
  readonly countsResponseBytes: boolean;

  private readonly requests: CounterFamily | undefined;
  private readonly duration: HistogramFamily;
  private readonly inFlightFamily: GaugeFamily;
  private readonly requestSize: HistogramFamily | undefined;
  private readonly responseSize: HistogramFamily | undefined;
  private readonly overflow: CounterFamily;

  /** Series id of the in-flight gauge per method index, -1 until first seen. */
  private readonly inFlightIds = new Int32Array(METHOD_VALUES.length).fill(-1);
  private readonly index: SeriesIndex;
  private readonly routes = new Map<string, RouteEntry>();
  private readonly customNames: string[];
  private readonly customSources: ((req: Req, res: Res) => unknown)[];
  private readonly routeOf: ((req: Req, res: Res) => string | null | undefined) | undefined;
  private readonly traceId: ((headers: IncomingHttpHeaders) => string | undefined) | undefined;
  private readonly statusText: (status: number) => string;
  private overflowEntry: RouteEntry | undefined;

  constructor(options: HttpRecorderOptions<Req, Res> = {}) {
    const pkg = options.pkg ?? '@promwire/core';
    const { pkg: _p, adapterKeys, routeOf, ...shared } = checkOptionKeys(pkg, options, [
      'pkg', 'adapterKeys', 'routeOf', ...(options.adapterKeys ?? []),
    ]) as HttpRecorderOptions<Req, Res>;
    for (const key of adapterKeys ?? []) delete (shared as Record<string, unknown>)[key];
    delete (shared as Record<string, unknown>).path;
    delete (shared as Record<string, unknown>).auth;
    const naming = (shared.naming ?? 'default') as 'default' | 'otel';
    const o = resolveHttpOptions(pkg, shared, builtInLabelNames(naming === 'otel' ? 'otel' : 'default'));
    this.options = o;
    const n = (this.names = httpNames(o.naming, o.prefix));
    this.customNames = o.labels.map(([name]) => name);
    this.customSources = o.labels.map(([, source]) => (typeof source === 'function' ? source : () => source));
    const labelNames = [n.method, n.route, n.status, ...this.customNames];
    const registry = o.registry;

    // Families of one label set share one index, and with it the label value caps; on a
    // registry that has them already, reuse it (registration below refuses another cap).
    const existing = findMetric(registry, n.duration);
    const index = (this.index =
      isFamily(existing) && existing.labelNames.join() === labelNames.join()
        ? existing.index
        : new SeriesIndex(labelNames, o.maxLabelValues));
    const inFlight = findMetric(registry, n.inFlight);
    const nativeRecord = nativeSettingsRecord(o.native);
    const settings = { groupStatusCodes: o.groupStatusCodes, maxLabelValues: o.maxLabelValues, ...nativeRecord };
    this.requests =
      n.requests === undefined
        ? undefined
        : registerFamily(pkg, registry, withSettings(new CounterFamily(n.requests, 'Total number of HTTP requests, by method, route template and status code.', index), settings));
    this.duration = registerFamily(
      pkg, registry,
      withSettings(new HistogramFamily(n.duration, 'Duration of HTTP requests in seconds, from arrival to the end of the response.', index, o.durationBuckets, o.native), settings),
      'durationBuckets',
    );
    this.inFlightFamily = registerFamily(
      pkg, registry,
      new GaugeFamily(n.inFlight, 'Number of HTTP requests being served, by method.', isFamily(inFlight) ? inFlight.index : new SeriesIndex([n.method])),
    );
    this.requestSize = o.requestSize
      ? registerFamily(pkg, registry, withSettings(new HistogramFamily(n.requestSize, 'Size of HTTP request bodies in bytes (Content-Length).', index, o.sizeBuckets, o.native), nativeRecord), 'sizeBuckets')
      : undefined;
    this.responseSize = o.responseSize
      ? registerFamily(pkg, registry, withSettings(new HistogramFamily(n.responseSize, 'Size of HTTP response bodies in bytes, as written.', index, o.sizeBuckets, o.native), nativeRecord), 'sizeBuckets')
      : undefined;
    this.overflow = overflowCounter(pkg, registry, o.prefix);
    if (o.defaultMetrics) ensureDefaultMetrics(registry, pkg);

    this.countsResponseBytes = o.responseSize;
    this.routeOf = routeOf;
    this.traceId = o.exemplars ? traceIdReader() : undefined;
    const grouped = o.groupStatusCodes;
    this.statusText = (status) => statusLabel(status, grouped);
  }

  /**
   * A request reached the adapter: counts it in flight and answers its state, or undefined
   * when `skip` says not to record it. `raw` is the Node request (method, url, headers).
   * With `askSkip` false, `skip` is left for later (`state.skipPending`, see {@link skips}).
   */
  begin(req: Req, res: Res, raw: RawRequest, askSkip = true): RequestState<Req, Res> | undefined {
    const skip = this.options.skip;
    if (skip !== undefined && askSkip && this.safeSkip(skip, req, res)) return undefined;
    const method = raw.method === 'GET' ? GET_INDEX : methodIndexOf(raw.method);
    let gauge = this.inFlightIds[method]!;
    if (gauge < 0) gauge = this.inFlightIds[method] = this.inFlightFamily.index.id([METHOD_VALUES[method]!]);
    this.inFlightFamily.values[gauge]!++;
    const state = new RequestState<Req, Res>(this, req, res, method, performance.now());
    if (this.traceId !== undefined) state.traceId = this.traceId(raw.headers);
    if (this.options.exclude.length > 0) state.url = raw.url;
    if (this.requestSize !== undefined) state.requestBytes = contentLength(raw.headers);
    if (skip !== undefined && !askSkip) state.skipPending = true;
    return state;
  }

  /** Asks a pending `skip` once, with the state's current `req` and `res`: true means leave it out. */
  skips(state: RequestState<Req, Res>): boolean {
    if (!state.skipPending) return false;
    state.skipPending = false;
    return this.safeSkip(this.options.skip!, state.req, state.res);
  }

  /**
   * The request finished with `status`, or its client went away first (`aborted`: recorded as
   * 499). Records it once; later calls for the same state do nothing.
   */
  end(state: RequestState<Req, Res>, status: number, aborted = false): void {
    if (state.done) return;
    if (state.skipPending && this.skips(state)) return this.discard(state);
    state.done = true;
    const seconds = (performance.now() - state.start) / 1000;
    this.inFlightFamily.values[this.inFlightIds[state.method]!]!--;

    let route = state.route;
    if (route === undefined && this.routeOf !== undefined) {
      const found = this.safeRoute(state);
      if (found === null) return; // left out: only the in-flight gauge saw it
      route = found;
    }
    const entry = this.entryFor(route ?? UNMATCHED_ROUTE, route === undefined ? state.url : undefined);
    if (entry.excluded) return;
    if (aborted) status = CLIENT_CLOSED_STATUS;

    let id: number;
    if (this.customNames.length === 0) {
      const key = status * 16 + state.method;
      id = entry.firstKey === key ? entry.firstId : (entry.ids?.get(key) ?? this.newSeries(entry, key, state.method, status));
    } else {
      id = this.customSeries(entry, state, status);
    }

    const traceId = state.traceId;
    const requests = this.requests;
    if (requests !== undefined) {
      if (traceId === undefined) requests.values[id]!++;
      else requests.inc(id, traceId);
    }
    this.duration.observe(id, seconds, traceId);
    this.requestSize?.observe(id, state.requestBytes);
    this.responseSize?.observe(id, state.responseBytes);
  }

  /**
   * Forgets a request without recording it (a route opted out of metrics, a request another
   * instance already tracks): the in-flight gauge returns to its value before `begin`.
   */
  discard(state: RequestState<Req, Res>): void {
    if (state.done) return;
    state.done = true;
    this.inFlightFamily.values[this.inFlightIds[state.method]!]!--;
  }

  private entryFor(route: string, path: string | undefined): RouteEntry {
    if (path !== undefined && this.matchesExclude(pathOf(path))) return EXCLUDED;
    const entry = this.routes.get(route);
    if (entry !== undefined) return entry;
    if (this.matchesExclude(route)) {
      this.routes.set(route, EXCLUDED);
      return EXCLUDED;
    }
    const value = this.index.admit(ROUTE_POSITION, capLength(route));
    if (value === OVERFLOW_VALUE) {
      this.countOverflow(this.names.route);
      return (this.overflowEntry ??= newEntry(OVERFLOW_VALUE));
    }
    const created = newEntry(value);
    this.routes.set(route, created);
    return created;
  }

  private newSeries(entry: RouteEntry, key: number, method: number, status: number): number {
    const id = this.seriesId(entry, method, status, []);
    if (entry.firstKey === -1) {
      entry.firstKey = key;
      entry.firstId = id;
    } else {
      (entry.ids ??= new Map()).set(key, id);
    }
    return id;
  }

  private customSeries(entry: RouteEntry, state: RequestState<Req, Res>, status: number): number {
    const values: string[] = [];
    let key = `${state.method}\u0000${status}`;
    for (let i = 0; i < this.customSources.length; i++) {
      const v = capLength(this.safeLabel(i, state));
      values.push(v);
      key += `\u0000${v}`;
    }
    const ids = (entry.custom ??= new Map());
    const known = ids.get(key);
    if (known !== undefined) return known;
    let admittedAll = true;
    for (let i = 0; i < values.length; i++) {
      const admitted = this.index.admit(CUSTOM_POSITION + i, values[i]!);
      if (admitted !== values[i]) {
        admittedAll = false;
        values[i] = admitted;
        this.countOverflow(this.customNames[i]!);
      }
    }
    const id = this.seriesId(entry, state.method, status, values);
    // A value past the cap is not remembered, so the cache stays bounded.
    if (admittedAll) ids.set(key, id);
    return id;
  }

  private seriesId(entry: RouteEntry, method: number, status: number, custom: string[]): number {
    const statusValue = this.index.admit(STATUS_POSITION, this.statusText(status));
    if (statusValue === OVERFLOW_VALUE) this.countOverflow(this.names.status);
    return this.index.id([METHOD_VALUES[method]!, entry.value, statusValue, ...custom]);
  }

  private countOverflow(label: string): void {
    for (const family of [this.requests, this.duration, this.requestSize, this.responseSize]) {
      if (family !== undefined) this.overflow.add([family.familyName, label], 1);
    }
  }

  private matchesExclude(value: string): boolean {
    for (const pattern of this.options.exclude) {
      if (typeof pattern === 'string' ? pattern === value : pattern.test(value)) return true;
    }
    return false;
  }

  private safeSkip(skip: (req: Req, res: Res) => boolean, req: Req, res: Res): boolean {
    try {
      return skip(req, res) === true;
    } catch {
      return false;
    }
  }

  private safeRoute(state: RequestState<Req, Res>): string | null | undefined {
    try {
      const route = this.routeOf!(state.req, state.res);
      return typeof route === 'string' || route === null ? route : undefined;
    } catch {
      return undefined;
    }
  }

  private safeLabel(i: number, state: RequestState<Req, Res>): string {
    try {
      const value = this.customSources[i]!(state.req, state.res);
      return typeof value === 'string' ? value : '';
    } catch {
      return '';
    }
  }
}

/**
 * Builds the HTTP recorder on `options.registry` (default: the client's global registry),
 * registering the metrics of SPEC.md, or reusing them when an identical configuration already
 * registered them there. Throws a `TypeError` prefixed with the package name on bad options.
 *
 * @example
 * const recorder = createHttpMetrics({ registry });
 * const state = recorder.begin(req, res, req);
 * res.on('close', () => state && recorder.end(state, res.statusCode, !res.writableFinished));
 */
export function createHttpMetrics<Req = unknown, Res = unknown>(
  options?: HttpRecorderOptions<Req, Res>,
): HttpRecorder<Req, Res> {
  return new HttpRecorder<Req, Res>(options);
}

function withSettings<F extends { settings: Readonly<Record<string, unknown>> }>(family: F, settings: Record<string, unknown>): F {
  family.settings = settings;
  return family;
}

function newEntry(value: string): RouteEntry {
  return { value, excluded: false, firstKey: -1, firstId: -1, ids: undefined, custom: undefined };
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function contentLength(headers: IncomingHttpHeaders): number {
  const value = headers['content-length'];
  if (value === undefined) return 0;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : 0;
}
