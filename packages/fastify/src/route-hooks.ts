/**
 * The route label, resolved once per route instead of once per request. Fastify's
 * `request.routeOptions` builds a new object on every read (about 1.4 µs on Fastify 4), so the
 * plugin's `onRoute` hook gives each route a small route-level `onRequest` hook that already
 * knows the route's template and only stores it on the request's state. Routes with
 * `config: { metrics: false }` get a hook that drops the request's state instead.
 *
 * A route's own hooks run after every instance-level `onRequest` hook, so a request answered
 * early by one of those (rate limit, auth) never reaches them: its route is then read from
 * `request.routeOptions` when it ends ({@link routeOfRequest}).
 */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, RouteOptions } from 'fastify';
import type { HttpRecorder } from '@promwire/core';
import { optionError } from '@promwire/core';

type RouteHook = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;

const kOwn = Symbol('promwire.routeHook');

/**
 * The plugin's `onRoute` hook: prepends the route's label hook (unless `getRoute` labels
 * requests) or, for `config: { metrics: false }`, the opt-out hook. Throws a prefixed
 * `TypeError` when `config.metrics` is not a boolean, failing the route's registration.
 */
export function routeHooks(
  pkg: string,
  recorder: HttpRecorder<FastifyRequest, FastifyReply>,
  labelRoutes: boolean,
): (route: RouteOptions) => void {
  const optOut = own(function promwireOptOut(request, _reply, done) {
    const state = request.promwire;
    if (state !== null) {
      request.promwire = null;
      recorder.discard(state);
    }
    done();
  });

  return function promwireOnRoute(route: RouteOptions): void {
    const flag: unknown = route.config?.metrics;
    if (flag !== undefined && typeof flag !== 'boolean') {
      throw optionError(pkg, `route ${String(route.method)} ${route.url}: config.metrics must be a boolean, got ${typeof flag}`);
    }
    if (flag !== false && !labelRoutes) return;
    const existing = route.onRequest as RouteHook | RouteHook[] | undefined;
    const hooks = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
    // Fastify builds a GET route's HEAD twin from the same options: hook it once.
    if (hooks.some((hook) => kOwn in hook)) return;
    const hook = flag === false ? optOut : labelHook(route.url);
    route.onRequest = [hook, ...hooks] as RouteOptions['onRequest'];
  };
}

/** One per route: stores the route's template on the request's state. */
function labelHook(label: string): RouteHook {
  return own(function promwireRoute(request, _reply, done) {
    const state = request.promwire;
    if (state !== null) state.route = label;
    done();
  });
}

function own(hook: RouteHook): RouteHook {
  return Object.assign(hook, { [kOwn]: true });
}

/**
 * The route of a request whose route-level hooks did not run (Fastify 5, where reading the
 * route's options is cheap; or answered by an earlier `onRequest` hook, aborted before them, or
 * a route registered before the plugin), from one read of `request.routeOptions`: undefined for
 * Fastify's not-found handler, null for a route with `config: { metrics: false }`, else the
 * route's template.
 */
export function routeOrOptOut(request: FastifyRequest): string | undefined | null {
  if (request.is404) return undefined;
  const options = request.routeOptions as FastifyRequest['routeOptions'] | undefined;
  // Fastify 4 before `routeOptions` (4.10) had only `routerPath`.
  if (options === undefined) return (request as unknown as { routerPath?: string }).routerPath;
  return options.config?.metrics === false ? null : options.url;
}

/** {@link routeOrOptOut} as the recorder's route lookup (an opted-out route has no template). */
export function routeOfRequest(request: FastifyRequest): string | undefined {
  return routeOrOptOut(request) ?? undefined;
}
