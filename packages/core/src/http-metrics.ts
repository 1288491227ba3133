/**
 * The HTTP recorder: one per adapter instance. `begin` when a request reaches the adapter,
 * `end` once when it finishes or its client goes away. The series for each
 * (route, method, status[, custom values]) is resolved once and kept, so the usual request
 * costs two map lookups, a counter increment, a bucket increment and a gauge update.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { type CounterCell, CounterFamily } from './counter';
import { GaugeFamily, type GaugeCell } from './gauge';
import { type HistogramCell, HistogramFamily } from './histogram';
import {
  BoundedValues, CLIENT_CLOSED_STATUS, METHOD_VALUES, OVERFLOW_VALUE, UNMATCHED_ROUTE,
  capLength, methodIndexOf, statusLabel,
} from './labels';
import { type HttpNames, OVERFLOW_METRIC, builtInLabelNames, httpNames } from './naming';
import { type HttpMetricsOptions, type ResolvedHttpOptions, checkOptionKeys, resolveHttpOptions } from './options';
import { ensureDefaultMetrics } from './prom';
import { registerFamily } from './registration';
import { RequestState } from './request-state';
import { traceIdReader } from './exemplar';

/** The parts of a raw request the recorder reads when it begins. */
export interface RawRequest {
  method?: string | undefined;
  url?: string | undefined;
  headers: IncomingHttpHeaders;
}

interface Leaf {
  requests: CounterCell | undefined;
  duration: HistogramCell;
  requestSize: HistogramCell | undefined;
  responseSize: HistogramCell | undefined;
}

interface RouteEntry {
  /** The label value (the template, cut to length, or `__overflow__`). */
  value: string;
  excluded: boolean;
  /** Per method index: status → leaf. */
  byMethod: (Map<number, Leaf> | undefined)[];
  /** With custom labels: per method index, "status\0v1\0v2…" → leaf. */
  custom: (Map<string, Leaf> | undefined)[];
}

const EXCLUDED: RouteEntry = { value: '', excluded: true, byMethod: [], custom: [] };

/** Options of {@link createHttpMetrics}: the shared ones plus how to find a route. */
export interface HttpRecorderOptions<Req, Res> extends HttpMetricsOptions<Req, Res> {
  /** Package name that prefixes error messages. Default `@promwire/core`. */
  pkg?: string;
  /** Keys an adapter adds to the shared options; any other unknown key is an error. */
  adapterKeys?: readonly string[];
  /**
   * The route template of a finished request, for adapters that learn it late; undefined means
   * unmatched. Used when the adapter did not set `state.route`. A throw counts as unmatched.
   */
  routeOf?: (req: Req, res: Res) => string | undefined;
}

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

  private readonly inFlight: GaugeCell[] = [];
  private readonly routes = new Map<string, RouteEntry>();
  private readonly routeValues: BoundedValues;
  private readonly statusValues: BoundedValues;
  private readonly customValues: BoundedValues[];
  private readonly customNames: string[];
  private readonly customSources: ((req: Req, res: Res) => unknown)[];
  private readonly routeOf: ((req: Req, res: Res) => string | undefined) | undefined;
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

    this.requests =
      n.requests === undefined
        ? undefined
        : registerFamily(pkg, registry, new CounterFamily(n.requests, 'Total number of HTTP requests, by method, route template and status code.', labelNames));
    this.duration = registerFamily(
      pkg, registry,
      new HistogramFamily(n.duration, 'Duration of HTTP requests in seconds, from arrival to the end of the response.', labelNames, o.durationBuckets),
      'durationBuckets',
    );
    this.inFlightFamily = registerFamily(pkg, registry, new GaugeFamily(n.inFlight, 'Number of HTTP requests being served, by method.', [n.method]));
    this.requestSize = o.requestSize
      ? registerFamily(pkg, registry, new HistogramFamily(n.requestSize, 'Size of HTTP request bodies in bytes (Content-Length).', labelNames, o.sizeBuckets), 'sizeBuckets')
      : undefined;
    this.responseSize = o.responseSize
      ? registerFamily(pkg, registry, new HistogramFamily(n.responseSize, 'Size of HTTP response bodies in bytes, as written.', labelNames, o.sizeBuckets), 'sizeBuckets')
      : undefined;
    this.overflow = registerFamily(pkg, registry, new CounterFamily(OVERFLOW_METRIC, 'Label values recorded as __overflow__ because the label reached maxLabelValues.', ['metric', 'label']));
    if (o.defaultMetrics) ensureDefaultMetrics(registry);

    this.countsResponseBytes = o.responseSize;
    this.routeValues = new BoundedValues(o.maxLabelValues);
    this.statusValues = new BoundedValues(o.maxLabelValues);
    this.customValues = this.customNames.map(() => new BoundedValues(o.maxLabelValues));
    this.routeOf = routeOf;
    this.traceId = o.exemplars ? traceIdReader() : undefined;
    const grouped = o.groupStatusCodes;
    this.statusText = (status) => statusLabel(status, grouped);
  }

  /**
   * A request reached the adapter: counts it in flight and answers its state, or undefined
   * when `skip` says not to record it. `raw` is the Node request (method, url, headers).
   */
  begin(req: Req, res: Res, raw: RawRequest): RequestState<Req, Res> | undefined {
    const skip = this.options.skip;
    if (skip !== undefined && this.safeSkip(skip, req, res)) return undefined;
    const method = methodIndexOf(raw.method);
    const gauge = this.inFlight[method] ?? (this.inFlight[method] = this.inFlightFamily.cell([METHOD_VALUES[method]!]));
    gauge.value++;
    const state = new RequestState<Req, Res>(this, req, res, method, performance.now());
    if (this.traceId !== undefined) state.traceId = this.traceId(raw.headers);
    if (this.options.exclude.length > 0) state.url = raw.url;
    if (this.requestSize !== undefined) state.requestBytes = contentLength(raw.headers);
    return state;
  }

  /**
   * The request finished with `status`, or its client went away first (`aborted`: recorded as
   * 499). Records it once; later calls for the same state do nothing.
   */
  end(state: RequestState<Req, Res>, status: number, aborted = false): void {
    if (state.done) return;
    state.done = true;
    const seconds = (performance.now() - state.start) / 1000;
    this.inFlight[state.method]!.value--;

    let route = state.route;
    if (route === undefined && this.routeOf !== undefined) route = this.safeRoute(state);
    const entry = this.entryFor(route ?? UNMATCHED_ROUTE, route === undefined ? state.url : undefined);
    if (entry.excluded) return;
    if (aborted) status = CLIENT_CLOSED_STATUS;

    let leaf: Leaf | undefined;
    if (this.customNames.length === 0) {
      const byStatus = entry.byMethod[state.method] ?? (entry.byMethod[state.method] = new Map());
      leaf = byStatus.get(status);
      if (leaf === undefined) {
        leaf = this.newLeaf(entry, state.method, status, []);
        byStatus.set(status, leaf);
      }
    } else {
      leaf = this.customLeaf(entry, state, status);
    }

    const traceId = state.traceId;
    if (leaf.requests !== undefined) {
      leaf.requests.value++;
      if (traceId !== undefined) leaf.requests.exemplar = { traceId, value: 1, timestamp: Date.now() / 1000 };
    }
    if (traceId === undefined) leaf.duration.observe(seconds);
    else leaf.duration.observeWithExemplar(seconds, traceId);
    leaf.requestSize?.observe(state.requestBytes);
    leaf.responseSize?.observe(state.responseBytes);
  }

  private entryFor(route: string, path: string | undefined): RouteEntry {
    if (path !== undefined && this.matchesExclude(pathOf(path))) return EXCLUDED;
    const entry = this.routes.get(route);
    if (entry !== undefined) return entry;
    if (this.matchesExclude(route)) {
      this.routes.set(route, EXCLUDED);
      return EXCLUDED;
    }
    const value = this.routeValues.admit(capLength(route));
    if (value === OVERFLOW_VALUE) {
      this.countOverflow(this.names.route);
      return (this.overflowEntry ??= newEntry(OVERFLOW_VALUE));
    }
    const created = newEntry(value);
    this.routes.set(route, created);
    return created;
  }

  private customLeaf(entry: RouteEntry, state: RequestState<Req, Res>, status: number): Leaf {
    const values: string[] = [];
    let key = String(status);
    for (let i = 0; i < this.customSources.length; i++) {
      const v = capLength(this.safeLabel(i, state));
      values.push(v);
      key += `\u0000${v}`;
    }
    const byKey = entry.custom[state.method] ?? (entry.custom[state.method] = new Map());
    const leaf = byKey.get(key);
    if (leaf !== undefined) return leaf;
    let admittedAll = true;
    for (let i = 0; i < values.length; i++) {
      const admitted = this.customValues[i]!.admit(values[i]!);
      if (admitted !== values[i]) {
        admittedAll = false;
        values[i] = admitted;
        this.countOverflow(this.customNames[i]!);
      }
    }
    if (!admittedAll) {
      const overflowKey = [String(status), ...values].join('\u0000');
      let capped = byKey.get(overflowKey);
      if (capped === undefined) {
        capped = this.newLeaf(entry, state.method, status, values);
        byKey.set(overflowKey, capped);
      }
      return capped;
    }
    const created = this.newLeaf(entry, state.method, status, values);
    byKey.set(key, created);
    return created;
  }

  private newLeaf(entry: RouteEntry, method: number, status: number, custom: string[]): Leaf {
    let statusValue = this.statusValues.admit(this.statusText(status));
    if (statusValue === OVERFLOW_VALUE) this.countOverflow(this.names.status);
    const values = [METHOD_VALUES[method]!, entry.value, statusValue, ...custom];
    return {
      requests: this.requests?.cell(values),
      duration: this.duration.cell(values),
      requestSize: this.requestSize?.cell(values),
      responseSize: this.responseSize?.cell(values),
    };
  }

  private countOverflow(label: string): void {
    for (const family of [this.requests, this.duration, this.requestSize, this.responseSize]) {
      if (family !== undefined) this.overflow.cell([family.name, label]).value++;
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

  private safeRoute(state: RequestState<Req, Res>): string | undefined {
    try {
      const route = this.routeOf!(state.req, state.res);
      return typeof route === 'string' ? route : undefined;
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
 * Builds the HTTP recorder on `options.registry` (default: prom-client's global registry),
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

function newEntry(value: string): RouteEntry {
  return { value, excluded: false, byMethod: [], custom: [] };
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
