/**
 * `@promwire/core/adapter`: the kit promwire's adapters are built from, for this repository's
 * and for third-party ones. An adapter builds one {@link RequestLifecycle} from its options
 * with {@link createLifecycle}, calls `arrive` when a request reaches it, and supplies the route
 * when its framework matched one; core does the rest (the metrics path, in-flight, the end on
 * the response's `close`, 499 and 500, one count per request). See `lifecycle.ts` for the state
 * machine and a complete example.
 */
export { createLifecycle, RequestLifecycle, METRICS_REQUEST, YIELDS } from '../lifecycle';
export type { AdapterOptions, AdapterSpec } from '../lifecycle';
export { RequestState } from '../request-state';
export { mountedRouteTemplate } from '../mounted-route';
export type { MountedRoute } from '../mounted-route';
export { checkOptionKeys, optionError } from '../options';
export { isPath, joinRoute } from '../labels';

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
