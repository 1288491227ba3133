/**
 * promwire on a Fastify instance: the one integration behind the `@promwire/fastify` plugin and
 * `@promwire/nestjs` on `@nestjs/platform-fastify`. Per request it costs one listener, one
 * instance `onRequest` hook and one shared `close` listener:
 *
 * - The server's `request` event, listener put first (core's `prependRequestListener`): a
 *   request over the network begins there (`arriveAtServer`), before Fastify routes it, so one
 *   Fastify refuses before its hooks (malformed URL: 400, over-long parameter: 414) or an
 *   earlier `onRequest` hook answers (Nest middleware, CORS) is still counted.
 * - `onRoute`, once per route: the route's label (its template, or null when it is left out of
 *   metrics) is decided and kept in the route's `config` under a symbol of this integration;
 *   Fastify copies `config` into the route's context, which every request of the route points to.
 * - One instance `onRequest` hook: `arrive` adopts that state with Fastify's request and reply,
 *   or begins one for `inject()`, which bypasses the server; it is kept on `request.promwire`.
 *   The same hook reads the label from the request's route context and gives it to the request
 *   (before body parsing and validation, so their 400s keep the route), or, for a route left
 *   out of metrics, discards the request: no route-level hook for Fastify to run as well.
 * - The end is the raw response's `close` (core's): no `onResponse` hook. A request answered
 *   before this hook ran (an earlier instance hook that replies) or on a route registered
 *   before promwire gets its route from the adapter's `routeOf` when it ends
 *   ({@link fastifyRouteOf}).
 * - The metrics endpoint is a route of the root instance for every method (core answers 405 to
 *   all but GET and HEAD): outside any prefix, and left out of the metrics.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, RouteOptions } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type RequestLifecycle, type RequestState, genAiBodySource, optionError, prependRequestListener } from '@promwire/core/adapter';

type Hook = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;

/** What a route's policy reads: the route's options at `onRoute`, or `request.routeOptions`. */
export interface FastifyRouteShape {
  method?: unknown;
  url?: string | undefined;
  config?: unknown;
}

/** How {@link instrumentFastify} records an instance. */
export interface FastifyIntegration<Req, Res> {
  /** Package name that prefixes error messages. */
  pkg: string;
  lifecycle: RequestLifecycle<Req, Res>;
  /**
   * A route's label, decided once per route: its template, null to leave its requests out of
   * metrics, or undefined for no label (recorded as `__unmatched__` unless `routeOf` knows more).
   * A throw fails the route's registration.
   */
  routeLabel: (route: FastifyRouteShape) => string | null | undefined;
  /** What the lifecycle's callbacks receive: Fastify's request and reply, or Node's. */
  objects: 'fastify' | 'node';
}

/** On an instrumented instance: its lifecycle (registered: copies of promwire agree). */
const kLifecycle = Symbol.for('promwire.fastify.lifecycle');
/** The description of the key under which Fastify 4 and 5 keep a request's route context. */
const CONTEXT_KEY = 'fastify.context';

/** A route's config as Fastify keeps it in the route's context, with this integration's label. */
type LabelledConfig = { [label: symbol]: string | null | undefined };

/**
 * Records every request of `fastify` (the root instance: register before the routes) through
 * `integration.lifecycle`. Throws a prefixed `Error` when promwire already records it, unless
 * that recording yields to this one (`YIELDS`, `@promwire/auto`): both then stay installed and
 * the lifecycles' ranks decide who counts each request.
 *
 * @example
 * // @promwire/nestjs on @nestjs/platform-fastify: Nest handlers' routes only, callbacks get Node's objects.
 * instrumentFastify(app.getHttpAdapter().getInstance(), {
 *   pkg: '@promwire/nestjs',
 *   lifecycle: createLifecycle('@promwire/nestjs', options),
 *   routeLabel: (route) => (isNestHandler(route.config) ? route.url : undefined),
 *   objects: 'node',
 * });
 */
export function instrumentFastify<Req, Res>(fastify: FastifyInstance, integration: FastifyIntegration<Req, Res>): void {
  const { pkg, lifecycle, routeLabel } = integration;
  const marked = fastify as unknown as { [kLifecycle]?: RequestLifecycle<unknown, unknown> };
  if (fastify.hasRequestDecorator('promwire')) {
    const previous = marked[kLifecycle];
    if (previous === undefined || !(previous.yields > lifecycle.yields)) {
      throw optionError(pkg, 'is already registered on this Fastify instance; register it once, before the routes');
    }
  } else {
    fastify.decorateRequest('promwire', null);
  }
  const untyped = lifecycle as unknown as RequestLifecycle<unknown, unknown>;
  marked[kLifecycle] = untyped;
  prependRequestListener(fastify.server, function promwireArrival(req: IncomingMessage, res: ServerResponse) {
    untyped.arriveAtServer(req, res);
  });
  // One per integration: a yielding recording (`@promwire/auto`) and the app's own keep apart.
  const kLabel = Symbol('promwire.route');
  fastify.addHook('onRequest', arrival(untyped, kLabel, integration.objects));
  fastify.addHook('onRoute', function promwireOnRoute(route: RouteOptions): void {
    const label = routeLabel(route);
    if (label === undefined || (label !== null && lifecycle.customRoute)) return;
    // A new object: the app's own config object stays as it wrote it.
    route.config = { ...route.config, [kLabel]: label } as RouteOptions['config'];
  });

  if (lifecycle.endpoint !== undefined) {
    fastify.route({
      method: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'],
      url: lifecycle.path as string,
      config: { metrics: false },
      handler: async (request, reply) => {
        // A gzip body carries its content-encoding, which compression plugins leave alone.
        const { status, headers, body } = await lifecycle.respond(request.raw);
        return reply.code(status).headers(headers).send(body);
      },
    });
  }
}

/**
 * The lifecycle's `routeOf` for a Fastify request that the `onRequest` hook did not label
 * (answered by an earlier instance hook, or a route registered before promwire): the not-found
 * handler is unmatched, a route is what `routeLabel` says of `request.routeOptions`. A request
 * promwire saw only as Node's (refused by Fastify before its hooks) is unmatched.
 */
export function fastifyRouteOf(
  routeLabel: (route: FastifyRouteShape) => string | null | undefined,
): (request: FastifyRequest) => string | null | undefined {
  return function promwireRouteOf(request) {
    if ((request as Partial<FastifyRequest>).raw === undefined || request.is404) return undefined;
    const options = request.routeOptions as FastifyRequest['routeOptions'] | undefined;
    // Fastify 4 before `routeOptions` (4.10) had only `routerPath`.
    return routeLabel(options ?? { url: (request as unknown as { routerPath?: string }).routerPath });
  };
}

/**
 * The instance `onRequest` hook: adopts the request (or begins it, for `inject()`) and labels
 * it with its route's label, or leaves it out. The callbacks get Fastify's request and reply,
 * or Node's (`objects: 'node'`, NestJS, whose GenAI routes read the body Fastify parses); the
 * choice is made here, once, not per request.
 */
function arrival(lifecycle: RequestLifecycle<unknown, unknown>, kLabel: symbol, objects: 'fastify' | 'node'): Hook {
  const configOf = routeConfigReader();
  const labelled = (request: FastifyRequest, state: ReturnType<typeof lifecycle.arrive>): RequestState<unknown, unknown> | null => {
    if (typeof state !== 'object') return null;
    const label = configOf(request)?.[kLabel];
    if (label === null) {
      lifecycle.discard(state);
      return null;
    }
    if (label !== undefined) lifecycle.route(state, label);
    return state;
  };
  if (objects === 'fastify') {
    return function promwireOnRequest(request, reply, done) {
      const state = lifecycle.arrive(request, reply, request.raw, reply.raw);
      request.promwire = labelled(request, state) as RequestState<FastifyRequest, FastifyReply> | null;
      done();
    };
  }
  return function promwireOnRequest(request, reply, done) {
    const state = lifecycle.arrive(request.raw, reply.raw, request.raw, reply.raw);
    request.promwire = labelled(request, state) as RequestState<FastifyRequest, FastifyReply> | null;
    // A GenAI route's model is read from the body Fastify parses onto its own request.
    genAiBodySource(reply.raw, request);
    done();
  };
}

/**
 * Reads a request's route config as Fastify keeps it in the route's context. The context is an
 * own property of Fastify's request under a symbol of Fastify's (`Symbol('fastify.context')` in
 * Fastify 4 and 5), found on the first request; one read then. Without it, the public
 * `request.routeOptions.config`, whose getter builds a new object of twelve fields per call.
 */
function routeConfigReader(): (request: FastifyRequest) => LabelledConfig | undefined {
  let key: symbol | null | undefined;
  return function routeConfig(request) {
    if (key === undefined) key = contextKey(request);
    if (key !== null) return ((request as unknown as Record<symbol, { config?: LabelledConfig } | undefined>)[key])?.config;
    return (request.routeOptions as unknown as { config?: LabelledConfig } | undefined)?.config;
  };
}

function contextKey(request: FastifyRequest): symbol | null {
  for (const key of Object.getOwnPropertySymbols(request)) {
    const context = (request as unknown as Record<symbol, unknown>)[key];
    if (key.description === CONTEXT_KEY && typeof context === 'object' && context !== null && 'config' in context) return key;
  }
  return null;
}
