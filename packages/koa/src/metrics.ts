import type { DefaultContext, DefaultState, Middleware, Next, ParameterizedContext } from 'koa';
import type { MetricsOptions } from '@promwire/core';
import { type AdapterOptions, METRICS_REQUEST, type RequestLifecycle, createLifecycle } from '@promwire/core/adapter';
import { routeTemplate } from './route-template';

const PKG = '@promwire/koa';

/**
 * Options of {@link metrics}: the shared promwire options plus Koa's own. Every callback
 * (`labels`, `skip`, `getRoute`) receives the Koa context; `labels` and `skip` take the shared
 * `(req, res)` shape and get the context as both arguments, so write them `(ctx) => …`.
 */
export interface KoaMetricsOptions<StateT = DefaultState, ContextT = DefaultContext>
  extends MetricsOptions<ParameterizedContext<StateT, ContextT>, ParameterizedContext<StateT, ContextT>> {
  /**
   * The route label of a finished request, instead of the template `@koa/router` or
   * `koa-router` matched ({@link routeTemplate}); undefined means unmatched (`__unmatched__`).
   * Called once per request, when it finishes. A throw or a non-string counts as unmatched.
   */
  getRoute?: (ctx: ParameterizedContext<StateT, ContextT>) => string | undefined;
}

/**
 * Koa 2 and 3 middleware recording `http_requests_total`, `http_request_duration_seconds` and
 * `http_requests_in_flight` for every request that passes it, labelled with the full route
 * template of `@koa/router` or `koa-router` (prefixes and nested routers included), and serving
 * the registry at `/metrics` (the `path` option; `false` for none).
 *
 * Mount it first: `/metrics` is answered here, before any router, so no route shadows it.
 * A request is recorded when its response is finished, so a streamed body is timed until its
 * last byte is written (and, with `responseSize`, sized by the bytes written). A downstream
 * throw passes through unchanged and is recorded with the status Koa's error handling sent
 * (500 unless the error carries a valid `status`); a client that disconnects before the
 * response finished is recorded once as 499. Bad options throw a `TypeError` prefixed
 * `@promwire/koa:`.
 *
 * @example
 * const app = new Koa();
 * app.use(metrics());
 * router.get('/users/:id', handler); // http_requests_total{method="GET",route="/users/:id",status_code="200"}
 * app.use(router.routes());
 */
export function metrics<StateT = DefaultState, ContextT = DefaultContext>(
  options: KoaMetricsOptions<StateT, ContextT> = {},
): Middleware<StateT, ContextT> {
  type Ctx = ParameterizedContext<StateT, ContextT>;
  const lifecycle = createLifecycle<Ctx, Ctx>(PKG, options as AdapterOptions<Ctx, Ctx>, { routeOf: routeTemplate, bodyOf: (ctx) => (ctx.request as { body?: unknown }).body });

  return function promwireMetrics(ctx: Ctx, next: Next): Promise<unknown> {
    // Mounted twice on one request (a sub-app, or metrics() used twice): the first one records.
    if (lifecycle.arrive(ctx, ctx, ctx.req, ctx.res) === METRICS_REQUEST) return serve(ctx, lifecycle);
    return next();
  };
}

/** Sends the endpoint's answer through Koa, so headers set by earlier middleware stay. */
async function serve<Ctx extends ParameterizedContext<unknown, unknown>>(ctx: Ctx, lifecycle: RequestLifecycle<Ctx, Ctx>): Promise<void> {
  const response = await lifecycle.respond(ctx.req);
  ctx.status = response.status;
  ctx.set(response.headers);
  ctx.body = response.body;
}
