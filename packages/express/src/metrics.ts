import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { type AdapterOptions, METRICS_REQUEST, createLifecycle } from '@promwire/core/adapter';
import { routeTemplate } from './route-template';

const PKG = '@promwire/express';

/**
 * Options of {@link metrics}: the shared promwire options, with Express's request and response
 * in callbacks; `getRoute(req, res)` replaces the matched Express template as the route label.
 */
export type ExpressMetricsOptions = AdapterOptions<Request, Response>;

/**
 * Express 4 and 5 middleware recording `http_requests_total`, `http_request_duration_seconds`
 * and `http_requests_in_flight` for every request that passes it, labelled with the full route
 * template, and serving the registry at `/metrics` (the `path` option; `false` for none).
 *
 * Mount it first. From its first request on a server, it begins that server's requests at the
 * server's `request` event, before Express gives them its prototypes (cheaper for V8), and
 * records those that reach it; a request answered before it (another app on the server, a route
 * mounted earlier) is not recorded. A handler that throws is recorded with the status the error handler sent;
 * a client that disconnects before the response finished is recorded once as 499. Bad
 * options throw a `TypeError` prefixed `@promwire/express:`.
 *
 * @example
 * const app = express();
 * app.use(metrics());
 * app.get('/users/:id', handler); // http_requests_total{method="GET",route="/users/:id",status_code="200"}
 */
export function metrics(options: ExpressMetricsOptions = {}): RequestHandler {
  const lifecycle = createLifecycle<Request, Response>(PKG, options, { routeOf: routeTemplate, bodyOf: (req) => req.body as unknown });

  return function promwireMetrics(req: Request, res: Response, next: NextFunction): void {
    if (lifecycle.arriveNode(req, res) === METRICS_REQUEST) void lifecycle.serve(req, res);
    else next();
  };
}
