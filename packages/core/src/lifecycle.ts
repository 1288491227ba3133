/**
 * The request lifecycle every adapter drives: one object built from the adapter's options
 * (recorder, `/metrics` endpoint, route lookup), and one call when a request arrives.
 *
 * One request, one {@link RequestState}, kept on the Node response:
 *
 * ```text
 *  arrive ─┬─ the metrics path ───────────────▶ METRICS_REQUEST: the adapter serves it
 *          │                                    (`serve`, or `respond` through the framework); not recorded
 *          ├─ tracked already by this recorder ▶ adopted: the same state, now with the adapter's req/res
 *          ├─ tracked by a lifecycle that yields to this one ▶ taken over: that one discards it, this one begins
 *          ├─ tracked by another recorder, or skip ▶ undefined: not recorded by this lifecycle
 *          └─ otherwise ──────────────────────▶ begun: in flight +1, one shared `close` listener
 *  begun ── route(state, template) ──────────▶ route known (ignored when the user gave `getRoute`)
 *  begun | route known ─┬─ response `close` ──▶ ended, once: the status sent; 499 when the client
 *                       │                       left first; 500 when the server errored it. Route:
 *                       │                       the one given, else `getRoute` / the adapter's
 *                       │                       `routeOf` (null: left out), else `__unmatched__`
 *                       └─ discard(state) ────▶ discarded: in flight −1, never recorded
 * ```
 *
 * "Tracked already" is checked before anything begins, so a request that passes two adapters
 * (two middlewares, a sub-app, promwire in Nest and in Fastify) is counted once, by the first,
 * with no in-flight churn. Servers whose framework builds its request objects after the
 * server's `request` event (Fastify) may also call {@link RequestLifecycle.arriveAtServer}
 * there, so that a request the framework refuses or answers early is still counted; their
 * `arrive` then adopts it, and `skip` is asked with the adapter's objects.
 *
 * A lifecycle built with a {@link YIELDS} rank (`@promwire/auto`'s: 3 for any `node:http`
 * server, 2 for a framework it instruments, 1 for NestJS) gives a request up to one of a lower
 * rank that reaches it later, an application's own adapter (rank 0) above all: the request is
 * then counted once, by the lowest rank that saw it, with that adapter's options.
 *
 * @example
 * import { createServer } from 'node:http';
 * import { METRICS_REQUEST, createLifecycle } from '@promwire/core/adapter';
 *
 * const lifecycle = createLifecycle('my-router', { registry });
 * createServer((req, res) => {
 *   const state = lifecycle.arrive(req, res, req, res);
 *   if (state === METRICS_REQUEST) return void lifecycle.serve(req, res);
 *   const route = router.find(req.method, req.url); // the framework's own match
 *   if (state !== undefined && route !== undefined) {
 *     if (route.metrics === false) lifecycle.discard(state);
 *     else lifecycle.route(state, route.template); // e.g. '/users/:id'
 *   }
 *   router.handle(route, req, res); // recorded when `res` closes
 * });
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createMetricsEndpoint, type MetricsEndpoint, type MetricsResponse } from './endpoint';
import { createHttpMetrics, type HttpRecorder } from './http-metrics';
import { isPath } from './labels';
import { endOnClose, stateOf, takeOver } from './node-response';
import { checkOptionKeys, optionError, resolvePath, type MetricsOptions } from './options';
import { prependRequestListener } from './server-listener';
import type { RequestState } from './request-state';
import { type GenAiOptions, resolveGenAiOptions } from './genai/options';
import { GenAiTracker } from './genai/tracker';
import { tapGenAi } from './genai/response-tap';

/** What {@link RequestLifecycle.arrive} answers for a request to the metrics path. */
export const METRICS_REQUEST: unique symbol = Symbol('promwire.metricsRequest');

/**
 * The key of an adapter option (not one a user sets): a non-negative integer, how readily this
 * lifecycle gives a request up to another; default 0, never. See the state machine above.
 * Registered, so that copies of promwire in one process agree.
 */
export const YIELDS: unique symbol = Symbol.for('promwire.yields') as never;

/** The shared options plus the route label callback every adapter offers. */
export interface AdapterOptions<Req, Res> extends MetricsOptions<Req, Res> {
  /**
   * The route label of a finished request, instead of the template the framework matched;
   * undefined means unmatched (`__unmatched__`). A throw or a non-string counts as unmatched.
   * Routes the framework leaves out of metrics stay out.
   */
  getRoute?: (req: Req, res: Res) => string | undefined;
  /**
   * Generative-AI API metrics read from the traffic of OpenAI-compatible routes (SPEC
   * "Generative-AI API metrics"): on by default for `/v1/chat/completions`, `/v1/completions`
   * and `/v1/embeddings`; `false` turns them off; `genAiMetrics({ routes })` from `@promwire/ml`
   * (or the same options object) sets the routes read. Other requests only pay a path test.
   */
  genai?: boolean | GenAiOptions;
}

/** How an adapter's framework names routes, given once to {@link createLifecycle}. */
export interface AdapterSpec<Req, Res> {
  /**
   * The route of a finished request whose adapter did not call `route()`: its template,
   * undefined when it matched no route, null when the matched route is left out of metrics.
   */
  routeOf?: (req: Req, res: Res) => string | null | undefined;
  /** With the user's `getRoute`: true when the matched route is left out of metrics. */
  leftOut?: (req: Req, res: Res) => boolean;
  /**
   * The request body the framework's parser produced (`req.body`), read when a GenAI route's
   * response starts: the model and `stream` come from it. Without it the model is `""`.
   */
  bodyOf?: (req: Req) => unknown;
  /** Options the adapter reads itself, beyond the shared ones and `getRoute`. */
  extraKeys?: readonly string[];
}

/** One adapter instance's recorder and endpoint, and the calls that drive a request through them. */
export class RequestLifecycle<Req = unknown, Res = unknown> {
  /** Undefined with `path: false`. */
  readonly endpoint: MetricsEndpoint | undefined;
  /** True when the user's `getRoute` labels requests: `route()` is then ignored. */
  readonly customRoute: boolean;
  /** The servers whose `request` event begins this lifecycle's requests (see {@link arriveNode}). */
  private readonly servers = new WeakSet<object>();
  /** The request the server's `request` event began last, until its adapter reaches it. */
  private early: RequestState<Req, Res> | undefined = undefined;

  constructor(
    readonly recorder: HttpRecorder<Req, Res>,
    /** Where the endpoint is served, or false. */
    readonly path: string | false,
    customRoute: boolean,
    auth: MetricsOptions['auth'],
    pkg: string,
    /** The {@link YIELDS} rank. */
    readonly yields = 0,
    /** GenAI routes and their recorder; undefined with `genai: false`. */
    private readonly genai?: GenAiTracker,
  ) {
    this.customRoute = customRoute;
    this.endpoint = path === false ? undefined : createMetricsEndpoint({ registry: recorder.options.registry, auth, pkg });
  }

  /**
   * A request reached the adapter. `req` and `res` are what user callbacks receive; `raw` and
   * `rawRes` are Node's request and response underneath. Answers {@link METRICS_REQUEST} for the
   * metrics path (nothing recorded; the adapter serves it), the request's state when this
   * lifecycle records it (begun now, or adopted), or undefined.
   */
  arrive(req: Req, res: Res, raw: IncomingMessage, rawRes: ServerResponse): RequestState<Req, Res> | undefined | typeof METRICS_REQUEST {
    const tracked = stateOf<Req, Res>(rawRes);
    if (this.path !== false && raw.url !== undefined && isPath(raw.url, this.path)) {
      if (tracked !== undefined && this.outranks(tracked)) tracked.recorder.discard(tracked);
      return METRICS_REQUEST;
    }
    if (tracked !== undefined) {
      if (tracked.recorder === this.recorder) return this.adopt(tracked, req, res);
      // Begun at the server for another adapter that has not reached it: this one is first.
      if (!tracked.unadopted && !this.outranks(tracked)) return undefined;
    }
    return this.begin(req, res, raw, rawRes, tracked, true);
  }

  /**
   * `arrive` for a framework whose request and response are Node's own objects, to which it
   * gives prototypes of its own (Express): on those, V8 reads and adds properties on slow
   * paths. So the first request this lifecycle begins on a server also puts a listener first
   * on that server's `request` event, where the server's later requests are begun, before the
   * framework touches them; here they are only adopted (`skip` is asked now). A request begun
   * there that never reaches this call (another app on the server, or a middleware before this
   * one answered) is not recorded. Servers that cannot be reached (`req.socket.server`) keep
   * the plain `arrive`.
   */
  arriveNode(req: Req & IncomingMessage, res: Res & ServerResponse): RequestState<Req, Res> | undefined | typeof METRICS_REQUEST {
    const early = this.early;
    if (early !== undefined && early.req === req) {
      // The usual case: the framework ran from the server's `request` event to here at once.
      this.early = undefined;
      // Mounted under a prefix (`app.use('/admin', sub)`), the adapter sees a shorter url than
      // the server did: `/admin/metrics` is this endpoint's request, begun there by mistake.
      if (this.path !== false && isPath(req.url!, this.path)) {
        this.recorder.discard(early);
        return METRICS_REQUEST;
      }
      return this.adopt(early, req, res);
    }
    const state = this.arrive(req, res, req, res);
    if (typeof state === 'object') this.listenAt((req.socket as { server?: unknown } | null)?.server);
    return state;
  }

  /**
   * The server's `request` event, before the framework built its own request objects: begins
   * the request (the metrics path excepted, which the framework routes) unless something tracks
   * it already. `skip` waits for the adapter's `arrive`, or for the end.
   */
  arriveAtServer(raw: IncomingMessage, rawRes: ServerResponse): void {
    if (this.path !== false && raw.url !== undefined && isPath(raw.url, this.path)) return;
    const tracked = stateOf<Req, Res>(rawRes);
    if (tracked !== undefined && (tracked.recorder === this.recorder || !this.outranks(tracked))) return;
    this.begin(raw as unknown as Req, rawRes as unknown as Res, raw, rawRes, tracked, false);
  }

  /**
   * The framework matched the route `template` (e.g. `/users/:id`); ignored with `getRoute`, and
   * for a request another lifecycle took over.
   */
  route(state: RequestState<Req, Res>, template: string): void {
    if (!this.customRoute && state.recorder === this.recorder) state.route = template;
  }

  /** Leaves the request out: out of the in-flight gauge now, never recorded (unless another lifecycle took it over). */
  discard(state: RequestState<Req, Res>): void {
    if (state.recorder === this.recorder) this.recorder.discard(state);
  }

  /** Serves the metrics endpoint on Node's response (`arrive` answered {@link METRICS_REQUEST}). */
  serve(raw: IncomingMessage, rawRes: ServerResponse): Promise<void> {
    return this.endpoint!.handle(raw, rawRes);
  }

  /** The endpoint's answer, for an adapter that sends it through its framework. */
  respond(raw: IncomingMessage): Promise<MetricsResponse> {
    return this.endpoint!.respond(raw);
  }

  /** Begins the requests of `server` at its `request` event from now on (see {@link arriveNode}). */
  private listenAt(server: unknown): void {
    const emitter = server as { prependListener?: unknown } | undefined;
    if (typeof emitter?.prependListener !== 'function' || this.servers.has(emitter)) return;
    this.servers.add(emitter);
    prependRequestListener(emitter as Server, (raw: IncomingMessage, rawRes: ServerResponse) => {
      if (this.path !== false && raw.url !== undefined && isPath(raw.url, this.path)) return;
      // Tracked already (another server-level recording, a preload): `arriveNode` decides then.
      if (stateOf(rawRes) !== undefined) return;
      const state = this.begin(raw as unknown as Req, rawRes as unknown as Res, raw, rawRes, undefined, false);
      if (state === undefined) return;
      state.unadopted = true;
      this.early = state;
    });
  }

  /** True when `tracked`, begun by another lifecycle, yields to this one. */
  private outranks(tracked: RequestState<Req, Res>): boolean {
    return tracked.recorder !== this.recorder && tracked.yields > this.yields;
  }

  /** Begins the request, taking it over from `tracked` when that one is given (and yields). */
  private begin(
    req: Req, res: Res, raw: IncomingMessage, rawRes: ServerResponse,
    tracked: RequestState<Req, Res> | undefined, askSkip: boolean,
  ): RequestState<Req, Res> | undefined {
    const state = this.recorder.begin(req, res, raw, askSkip);
    if (state === undefined) {
      // This lifecycle's `skip` decides for the request: the one it outranks drops it too.
      if (tracked !== undefined) tracked.recorder.discard(tracked);
      return undefined;
    }
    state.yields = this.yields;
    if (tracked === undefined) endOnClose(state, rawRes);
    else takeOver(tracked as RequestState<unknown, unknown>, state, rawRes);
    // GenAI routes: a request whose path does not start as theirs do pays this one test.
    const genai = this.genai;
    if (tracked !== undefined || (genai !== undefined && genai.mayMatch(raw.url))) {
      tapGenAi(genai, state as RequestState<unknown, unknown>, raw.url, rawRes, tracked !== undefined);
    }
    return state;
  }

  private adopt(state: RequestState<Req, Res>, req: Req, res: Res): RequestState<Req, Res> | undefined {
    state.req = req;
    state.res = res;
    state.unadopted = false;
    if (state.skipPending && this.recorder.skips(state)) {
      this.recorder.discard(state);
      return undefined;
    }
    return state;
  }
}

/**
 * Validates an adapter's options (the shared ones, `getRoute` and `spec.extraKeys`; a
 * `TypeError` prefixed with `pkg` otherwise) and builds its lifecycle: recorder, and endpoint
 * unless `path: false`. `spec.routeOf` is the framework's own route lookup, used unless the
 * user gave `getRoute`.
 */
export function createLifecycle<Req, Res>(
  pkg: string,
  options: AdapterOptions<Req, Res> | undefined,
  spec: AdapterSpec<Req, Res> = {},
): RequestLifecycle<Req, Res> {
  const extraKeys = ['getRoute', 'genai', ...(spec.extraKeys ?? [])];
  const o = checkOptionKeys(pkg, options, extraKeys) as AdapterOptions<Req, Res>;
  const getRoute = o.getRoute;
  if (getRoute !== undefined && typeof getRoute !== 'function') {
    throw optionError(pkg, `getRoute must be a function, got ${typeof getRoute}`);
  }
  const path = resolvePath(pkg, o.path);
  const yields = (o as { [YIELDS]?: unknown })[YIELDS] ?? 0;
  if (typeof yields !== 'number' || !Number.isInteger(yields) || yields < 0) {
    throw optionError(pkg, `the YIELDS option must be a non-negative integer, got ${String(yields)}`);
  }
  const genai = resolveGenAiOptions(pkg, o.genai);
  const recorder = createHttpMetrics<Req, Res>({
    ...o,
    pkg,
    adapterKeys: extraKeys,
    routeOf: getRoute === undefined ? spec.routeOf : userRoute(getRoute, spec.leftOut),
  });
  const r = recorder.options;
  const tracker = genai === undefined ? undefined : new GenAiTracker(pkg, genai, r.registry, r.prefix, r.maxLabelValues, spec.bodyOf as ((req: unknown) => unknown) | undefined);
  return new RequestLifecycle(recorder, path, getRoute !== undefined, o.auth, pkg, yields, tracker);
}

/**
 * `getRoute` after the framework's opt-out: whatever it answers but a string is unmatched
 * (null too, which would mean "left out" to the recorder). A throw reaches the recorder, whose
 * route lookup counts it as unmatched.
 */
function userRoute<Req, Res>(
  getRoute: (req: Req, res: Res) => string | undefined,
  leftOut: ((req: Req, res: Res) => boolean) | undefined,
): (req: Req, res: Res) => string | null | undefined {
  return function promwireUserRoute(req, res) {
    if (leftOut !== undefined && leftOut(req, res)) return null;
    const route = getRoute(req, res);
    return typeof route === 'string' ? route : undefined;
  };
}
