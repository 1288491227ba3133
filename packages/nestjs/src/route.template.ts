/**
 * The route label of an Express request: the route Express matched, which is the path Nest
 * registered for the handler (global prefix, module and controller paths, method path and URI
 * version: `/api/v1/cats/:id`), after `req.baseUrl` when the Nest app is mounted in another
 * Express app. Only routes of Nest handlers count: Nest also registers Express routes for its
 * 404 handler under a global prefix and for route-bound middleware, which give no template.
 * Cached on the route object.
 */
import type { IncomingMessage } from 'node:http';
import { EXCLUDED_ROUTE } from './metrics.constants';
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

export function expressRouteOf(req: IncomingMessage): string | undefined {
  const route = (req as { route?: ExpressRoute }).route;
  if (route === undefined || route === null) return undefined;
  const info = (route[kInfo] ??= { excluded: exclusionOf(route), templates: new Map() });
  if (info.excluded === undefined) return undefined;
  if (info.excluded) return EXCLUDED_ROUTE;
  const base = (req as { baseUrl?: string }).baseUrl ?? '';
  let template = info.templates.get(base);
  if (template === undefined) {
    template = join(base, String(route.path));
    if (info.templates.size < MAX_CACHED_BASES) info.templates.set(base, template);
  }
  return template;
}

function exclusionOf(route: ExpressRoute): boolean | undefined {
  let result: boolean | undefined;
  for (const layer of route.stack ?? []) {
    const excluded = handlerExclusion(layer.handle);
    if (excluded !== undefined) result = (result ?? false) || excluded;
  }
  return result;
}

function join(base: string, path: string): string {
  if (base === '' || base === '/') return path;
  if (path === '/' || path === '') return base;
  return base.endsWith('/') && path.startsWith('/') ? base + path.slice(1) : base + path;
}
