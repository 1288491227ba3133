/**
 * `@promwire/core/adapter`: the kit promwire's adapters are built from, for this repository's
 * and for third-party ones. An adapter builds one {@link RequestLifecycle} from its options
 * with {@link createLifecycle}, calls `arrive` when a request reaches it, and supplies the route
 * when its framework matched one; core does the rest (the metrics path, in-flight, the end on
 * the response's `close`, 499 and 500, one count per request). See `lifecycle.ts` for the state
 * machine and a complete example.
 */
import { METRICS_REQUEST as metricsRequest } from '../lifecycle';
import { matchedRoute as routeOfRequest, mountedRouteTemplate as routeUnderMount, requestRouteTemplate as templateOfRequest } from '../mounted-route';

export { createLifecycle, RequestLifecycle, YIELDS } from '../lifecycle';
// Compared and called on every request: plain values of this module, where a re-export would
// be a getter the adapters call each time (about 230 instructions a request each, callgrind).
/** What {@link RequestLifecycle.arrive} answers for a request to the metrics path. */
export const METRICS_REQUEST: typeof metricsRequest = metricsRequest;
/**
 * The template of an Express-style `route` matched under the mount prefix `base`:
 * `('/api', '/users/:id')` → `/api/users/:id`; cached per route object and prefix.
 *
 * @example
 * const template = req.route ? mountedRouteTemplate(req.route, req.baseUrl) : undefined;
 */
export const mountedRouteTemplate: typeof routeUnderMount = routeUnderMount;
/**
 * The route an Express-style request matched (`req.route`, read without missing V8's caches on
 * Express's per-request maps), or undefined.
 *
 * @example
 * const route = matchedRoute(req); // e.g. to look at its handlers first
 * const template = requestRouteTemplate(req, route);
 */
export const matchedRoute: typeof routeOfRequest = routeOfRequest;
/**
 * The template of the route `req` matched (by default, {@link matchedRoute}'s) under the mount
 * prefix it went through (`req.baseUrl`); undefined when it matched none.
 *
 * @example
 * requestRouteTemplate(req); // '/api/users/:id' for app.use('/api', router) and router.get('/users/:id')
 */
export const requestRouteTemplate: typeof templateOfRequest = templateOfRequest;
export type { AdapterOptions, AdapterSpec } from '../lifecycle';
export { RequestState } from '../request-state';
export type { MountedRoute } from '../mounted-route';
export { checkOptionKeys, optionError } from '../options';
export { isPath, joinRoute } from '../labels';
export { prependRequestListener } from '../server-listener';

// Recorders of other kinds of metrics (@promwire/ml) build on the same columnar families, with
// get-or-create registration and the shared label caps.
export { CounterFamily } from '../counter';
export { GaugeFamily } from '../gauge';
export { HistogramFamily } from '../histogram';
export { SeriesIndex } from '../series-index';
export { registerFamily, indexFor, overflowCounter } from '../registration';
export { checkEntryKeys, describe, resolveBuckets, resolveRecorderBasics } from '../options';
export type { RecorderBasics } from '../options';
export { capLength } from '../labels';
export { mlNames } from '../naming';
export type { MlNames } from '../naming';
export { genAiNames } from '../naming';
export { resolveGenAiOptions } from '../genai/options';
export { genAiBodySource } from '../genai/response-tap';
