/**
 * The route template of a Koa request, read from what `@koa/router` (12–15) and `koa-router`
 * leave on the context: `ctx._matchedRoute`, the path of the last router layer that ran, with
 * every `prefix` and `router.use('/v1', inner.routes())` mount already joined in
 * (`/api/v1/users/:id`), and `ctx.matched`, the layers whose path matched.
 */
import type { Context } from 'koa';

const kTemplate = Symbol('promwire.template');

interface RouterLayer {
  path: unknown;
  methods?: readonly string[];
  [kTemplate]?: string;
}

interface RoutedContext {
  method: string;
  _matchedRoute?: unknown;
  matched?: readonly RouterLayer[];
}

/**
 * The template of the route that handled `ctx`, or undefined when no router matched it (a 404,
 * or a 405 from `allowedMethods()`), which is labelled `__unmatched__`.
 *
 * When the last layer that ran was router middleware (`router.use(auth)` throwing 401 before
 * the route ran), `_matchedRoute` holds that middleware's internal pattern; the label is then
 * the template of the first route the router matched for the method. A RegExp route is
 * labelled by its `String()` (`/^\/files\/.*$/`).
 *
 * @example
 * app.use(metrics({ getRoute: (ctx) => routeTemplate(ctx) ?? ctx.state.route }));
 */
export function routeTemplate(ctx: Context): string | undefined {
  const routed = ctx as unknown as RoutedContext;
  const path = routed._matchedRoute;
  if (path === undefined || path === null) return undefined;
  const matched = routed.matched;
  if (Array.isArray(matched)) {
    for (let i = matched.length - 1; i >= 0; i--) {
      const layer = matched[i] as RouterLayer;
      if (layer.path !== path) continue;
      return templateOf(isRoute(layer) ? layer : (firstRoute(matched, routed.method) ?? layer));
    }
  }
  return typeof path === 'string' ? path : String(path);
}

function isRoute(layer: RouterLayer): boolean {
  return Array.isArray(layer.methods) && layer.methods.length > 0;
}

function firstRoute(matched: readonly RouterLayer[], method: string): RouterLayer | undefined {
  for (const layer of matched) {
    if (isRoute(layer) && layer.methods!.includes(method)) return layer;
  }
  return undefined;
}

/** The layer's path as a label; a non-string path is converted once and kept on the layer. */
function templateOf(layer: RouterLayer): string {
  const path = layer.path;
  if (typeof path === 'string') return path;
  return (layer[kTemplate] ??= String(path));
}
