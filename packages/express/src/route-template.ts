/**
 * The route template of an Express request: the mount path of every router it went through
 * (`req.baseUrl`) followed by the matched route's path (`req.route.path`), so
 * `app.use('/api', r1)`, `r1.use('/v1', r2)`, `r2.get('/users/:id')` gives `/api/v1/users/:id`.
 * Array and RegExp paths are labelled by their `String()`. A request that reached no route has
 * no template.
 */
import type { Request } from 'express';
import { joinRoute } from '@promwire/core';

const kTemplates = Symbol('promwire.templates');
/** Distinct mount prefixes cached per route; beyond this the template is built each time. */
const MAX_CACHED_BASES = 64;

interface ExpressRoute {
  path: unknown;
  [kTemplates]?: Map<string, string>;
}

/**
 * The route template of a finished Express request, or undefined when it matched no route.
 * Cached per route and mount prefix.
 *
 * @example
 * app.use(metrics({ getRoute: (req) => routeTemplate(req) ?? 'static' }));
 */
export function routeTemplate(req: Request): string | undefined {
  const route = req.route as ExpressRoute | undefined;
  if (route === undefined || route === null) return undefined;
  const base = req.baseUrl ?? '';
  let templates = route[kTemplates];
  if (templates === undefined) templates = route[kTemplates] = new Map();
  let template = templates.get(base);
  if (template === undefined) {
    template = joinRoute(base, String(route.path));
    if (templates.size < MAX_CACHED_BASES) templates.set(base, template);
  }
  return template;
}
