/**
 * The route label of an Express request: the route Express matched, which is the path Nest
 * registered for the handler (global prefix, module and controller paths, method path and URI
 * version: `/api/v1/cats/:id`), after `req.baseUrl` when the Nest app is mounted in another
 * Express app. Only routes of Nest handlers count: Nest also registers Express routes for its
 * 404 handler under a global prefix and for route-bound middleware, which give no template.
 * What is known of a route is cached on Express's route object.
 */
import type { IncomingMessage } from 'node:http';
import { joinRoute } from '@promwire/core';
import { handlerExclusion } from './metrics.explorer';

const kInfo = Symbol('promwire.nestjs.route');
/** Distinct mount prefixes cached per route; beyond this the template is built each time. */
const MAX_CACHED_BASES = 64;

interface RouteInfo {
  /** undefined: not a Nest handler's route. */
  excluded: boolean | undefined;
  templates: Map<string, string>;
}

interface ExpressRoute {
  path: unknown;
  stack?: readonly { handle?: unknown }[];
  [kInfo]?: RouteInfo;
}

/** The template of the Nest handler's route `req` matched, else undefined (unmatched). */
export function expressRouteOf(req: IncomingMessage): string | undefined {
  const route = matchedRoute(req);
  if (route === undefined) return undefined;
  const info = infoOf(route);
  if (info.excluded === undefined) return undefined;
  const base = (req as { baseUrl?: string }).baseUrl ?? '';
  let template = info.templates.get(base);
  if (template === undefined) {
    template = joinRoute(base, String(route.path));
    if (info.templates.size < MAX_CACHED_BASES) info.templates.set(base, template);
  }
  return template;
}

/** True when `req` matched the route of a handler marked `@ExcludeFromMetrics()`. */
export function isExcludedRoute(req: IncomingMessage): boolean {
  const route = matchedRoute(req);
  return route !== undefined && infoOf(route).excluded === true;
}

function matchedRoute(req: IncomingMessage): ExpressRoute | undefined {
  return (req as { route?: ExpressRoute | null }).route ?? undefined;
}

function infoOf(route: ExpressRoute): RouteInfo {
  return (route[kInfo] ??= { excluded: exclusionOf(route), templates: new Map() });
}

function exclusionOf(route: ExpressRoute): boolean | undefined {
  let result: boolean | undefined;
  for (const layer of route.stack ?? []) {
    const excluded = handlerExclusion(layer.handle);
    if (excluded !== undefined) result = (result ?? false) || excluded;
  }
  return result;
}
