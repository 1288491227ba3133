/**
 * promwire on a Fastify instance: the one integration behind the `@promwire/fastify` plugin and
 * `@promwire/nestjs` on `@nestjs/platform-fastify`. Per request it costs one listener, one
 * instance `onRequest` hook, one route-level `onRequest` hook and one shared `close` listener:
 *
 * - The server's `request` event, listener put first: a request over the network begins there
 *   (`arriveAtServer`), before Fastify routes it, so one Fastify refuses before its hooks
 *   (malformed URL: 400, over-long parameter: 414) or an earlier `onRequest` hook answers (Nest
 *   middleware, CORS) is still counted.
 * - One instance `onRequest` hook: `arrive` adopts that state with Fastify's request and reply,
 *   or begins one for `inject()`, which bypasses the server; it is kept on `request.promwire`.
 * - `onRoute`, once per route: a first route-level `onRequest` hook that knows the route's
 *   template and gives it to the request (before body parsing and validation, so their 400s
 *   keep the route), or, for a route left out of metrics, discards the request.
 * - The end is the raw response's `close` (core's): no `onResponse` hook. A request answered
 *   before the route's hook ran (an instance hook that replies early) gets its route from the
 *   adapter's `routeOf` when it ends ({@link fastifyRouteOf}).
 * - The metrics endpoint is a route of the root instance for every method (core answers 405 to
 *   all but GET and HEAD): outside any prefix, and left out of the metrics.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, RouteOptions } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type RequestLifecycle, type RequestState, genAiBodySource, optionError } from '@promwire/core/adapter';

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

/** On a route hook: the lifecycle it labels for. */
const kOwn = Symbol('promwire.routeHook');
/** On an instrumented instance: its lifecycle (registered: copies of promwire agree). */
const kLifecycle = Symbol.for('promwire.fastify.lifecycle');

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
  fastify.server.prependListener('request', function promwireArrival(req: IncomingMessage, res: ServerResponse) {
    untyped.arriveAtServer(req, res);
  });
  fastify.addHook('onRequest', integration.objects === 'fastify' ? adoptFastify(untyped) : adoptNode(untyped));
  const optOut = leaveOut(untyped);
  fastify.addHook('onRoute', function promwireOnRoute(route: RouteOptions): void {
    const label = routeLabel(route);
    if (label === undefined || (label !== null && lifecycle.customRoute)) return;
    const existing = route.onRequest as Hook | Hook[] | undefined;
    const hooks = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
    // Fastify builds a GET route's HEAD twin from the same options: hook it once.
    if (hooks.some((hook) => (hook as { [kOwn]?: unknown })[kOwn] === untyped)) return;
    const hook = label === null ? optOut : labelRoute(untyped, label);
    route.onRequest = [hook, ...hooks] as RouteOptions['onRequest'];
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
 * The lifecycle's `routeOf` for a Fastify request whose route-level hook did not run (answered
 * by an earlier instance hook, or a route registered before promwire): the not-found handler
 * is unmatched, a route is what `routeLabel` says of `request.routeOptions`. A request
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

function adoptFastify(lifecycle: RequestLifecycle<unknown, unknown>): Hook {
  return function promwireOnRequest(request, reply, done) {
    const state = lifecycle.arrive(request, reply, request.raw, reply.raw);
    request.promwire = typeof state === 'object' ? (state as RequestState<FastifyRequest, FastifyReply>) : null;
    done();
  };
}

function adoptNode(lifecycle: RequestLifecycle<unknown, unknown>): Hook {
  return function promwireOnRequest(request, reply, done) {
    const state = lifecycle.arrive(request.raw, reply.raw, request.raw, reply.raw);
    request.promwire = typeof state === 'object' ? (state as RequestState<FastifyRequest, FastifyReply>) : null;
    // A GenAI route's model is read from the body Fastify parses onto its own request.
    genAiBodySource(reply.raw, request);
    done();
  };
}

/** One per route: gives the request the route's template. */
function labelRoute(lifecycle: RequestLifecycle<unknown, unknown>, template: string): Hook {
  return own(lifecycle, function promwireRoute(request, _reply, done) {
    const state = request.promwire;
    if (state !== null) lifecycle.route(state as RequestState<unknown, unknown>, template);
    done();
  });
}

/** Shared by the routes left out: the request leaves the in-flight gauge, unrecorded. */
function leaveOut(lifecycle: RequestLifecycle<unknown, unknown>): Hook {
  return own(lifecycle, function promwireLeaveOut(request, _reply, done) {
    const state = request.promwire;
    if (state !== null && state.recorder === lifecycle.recorder) {
      request.promwire = null;
      lifecycle.discard(state as RequestState<unknown, unknown>);
    }
    done();
  });
}

function own(lifecycle: RequestLifecycle<unknown, unknown>, hook: Hook): Hook {
  return Object.assign(hook, { [kOwn]: lifecycle });
}
