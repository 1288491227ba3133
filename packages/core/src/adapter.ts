/**
 * What every adapter builds from its options, in one place: the options checked (the shared
 * ones plus `getRoute`), the recorder, and the `/metrics` endpoint unless `path: false`.
 */
import { createHttpMetrics, type HttpRecorder } from './http-metrics';
import { createMetricsEndpoint, type MetricsEndpoint } from './endpoint';
import { checkOptionKeys, optionError, resolvePath, type MetricsOptions } from './options';

/** The shared options plus the route label callback every adapter offers. */
export interface AdapterOptions<Req, Res> extends MetricsOptions<Req, Res> {
  /**
   * The route label of a finished request, instead of the template the framework matched;
   * undefined means unmatched (`__unmatched__`). A throw or a non-string counts as unmatched.
   */
  getRoute?: (req: Req, res: Res) => string | undefined;
}

/** What {@link adapterParts} builds. */
export interface AdapterParts<Req, Res> {
  recorder: HttpRecorder<Req, Res>;
  /** Undefined with `path: false`. */
  endpoint: MetricsEndpoint | undefined;
  path: string | false;
}

/**
 * Validates an adapter's options and builds its recorder and endpoint. `routeOf` is the
 * framework's own template lookup, used unless the user gave `getRoute`; `extraKeys` are any
 * further options the adapter reads itself. Throws a `TypeError` prefixed with `pkg`.
 */
export function adapterParts<Req, Res>(
  pkg: string,
  options: AdapterOptions<Req, Res> | undefined,
  routeOf: ((req: Req, res: Res) => string | undefined) | undefined,
  extraKeys: readonly string[] = [],
): AdapterParts<Req, Res> {
  const o = checkOptionKeys(pkg, options, ['getRoute', ...extraKeys]) as AdapterOptions<Req, Res>;
  if (o.getRoute !== undefined && typeof o.getRoute !== 'function') {
    throw optionError(pkg, `getRoute must be a function, got ${typeof o.getRoute}`);
  }
  const path = resolvePath(pkg, o.path);
  const recorder = createHttpMetrics<Req, Res>({
    ...o,
    pkg,
    adapterKeys: ['getRoute', ...extraKeys],
    routeOf: o.getRoute ?? routeOf,
  });
  const endpoint = path === false ? undefined : createMetricsEndpoint({ registry: recorder.options.registry, auth: o.auth, pkg });
  return { recorder, endpoint, path };
}
