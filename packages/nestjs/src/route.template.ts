/**
 * The route label of an Express request: the route Express matched, which is the path Nest
 * registered for the handler (global prefix, module and controller paths, method path and URI
 * version: `/api/v1/cats/:id`), after `req.baseUrl` when the Nest app is mounted in another
 * Express app (core's mounted-route cache). Only routes of Nest handlers count: Nest also
 * registers Express routes for its 404 handler under a global prefix and for route-bound
 * middleware, which give no template. A route's kind is resolved once and kept on the route.
 */
import type { IncomingMessage } from 'node:http';
import { type MountedRoute, matchedRoute, requestRouteTemplate } from '@promwire/core/adapter';
import { handlerExclusion } from './metrics.explorer';

const kKind = Symbol('promwire.nestjs.routeKind');

/** A Nest handler's route, one marked `@ExcludeFromMetrics()`, or another route. */
type RouteKind = 'handler' | 'excluded' | 'other';

interface ExpressRoute extends MountedRoute {
  stack?: readonly { handle?: unknown }[];
  [kKind]?: RouteKind;
}

/**
 * The template of the Nest handler's route `req` matched; null when that handler is marked
 * `@ExcludeFromMetrics()`; undefined when it matched no Nest handler (unmatched). A raw request
 * (Nest on Fastify) has no Express route: undefined.
 */
export function nestRouteOf(req: IncomingMessage): string | null | undefined {
  const route = matchedRoute<ExpressRoute>(req);
  if (route === undefined) return undefined;
  const kind = (route[kKind] ??= kindOf(route));
  if (kind !== 'handler') return kind === 'excluded' ? null : undefined;
  return requestRouteTemplate(req, route);
}

/** True when `req` matched the route of a handler marked `@ExcludeFromMetrics()`. */
export function isExcludedRoute(req: IncomingMessage): boolean {
  return nestRouteOf(req) === null;
}

function kindOf(route: ExpressRoute): RouteKind {
  let kind: RouteKind = 'other';
  for (const layer of route.stack ?? []) {
    const excluded = handlerExclusion(layer.handle);
    if (excluded === true) return 'excluded';
    if (excluded === false) kind = 'handler';
  }
  return kind;
}
