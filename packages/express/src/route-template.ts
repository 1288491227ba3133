/**
 * The route template of an Express request: the mount path of every router it went through
 * (`req.baseUrl`) followed by the matched route's path (`req.route.path`), so
 * `app.use('/api', r1)`, `r1.use('/v1', r2)`, `r2.get('/users/:id')` gives `/api/v1/users/:id`.
 * Array and RegExp paths are labelled by their `String()`. A request that reached no route has
 * no template.
 */
import type { Request } from 'express';
import { requestRouteTemplate } from '@promwire/core/adapter';

/**
 * The route template of a finished Express request, or undefined when it matched no route.
 * Cached per route and mount prefix.
 *
 * @example
 * app.use(metrics({ getRoute: (req) => routeTemplate(req) ?? 'static' }));
 */
export function routeTemplate(req: Request): string | undefined {
  return requestRouteTemplate(req);
}
