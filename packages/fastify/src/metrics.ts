import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { createLifecycle, optionError } from '@promwire/core/adapter';
import { type FastifyRouteShape, fastifyRouteOf, instrumentFastify } from './integration';
import type { FastifyMetricsOptions } from './types';

const PKG = '@promwire/fastify';

/** A route's label: its template, or null with `config: { metrics: false }`. */
function routeLabel(route: FastifyRouteShape): string | null | undefined {
  const flag = (route.config as { metrics?: unknown } | undefined)?.metrics;
  if (flag !== undefined && typeof flag !== 'boolean') {
    throw optionError(PKG, `route ${String(route.method)} ${route.url}: config.metrics must be a boolean, got ${typeof flag}`);
  }
  return flag === false ? null : route.url;
}

const routeOf = fastifyRouteOf(routeLabel);

async function promwireFastify(fastify: FastifyInstance, options: FastifyMetricsOptions): Promise<void> {
  const lifecycle = createLifecycle<FastifyRequest, FastifyReply>(PKG, options, {
    routeOf,
    leftOut: (request) => routeOf(request) === null,
    bodyOf: (request) => request.body,
  });
  instrumentFastify(fastify, { pkg: PKG, lifecycle, routeLabel, objects: 'fastify' });
}

/**
 * Fastify 4 and 5 plugin recording `http_requests_total`, `http_request_duration_seconds` and
 * `http_requests_in_flight` for every request of the app, labelled with Fastify's route
 * template (mount prefixes included; `__unmatched__` for the not-found handler), and serving
 * the registry at `/metrics` (the `path` option; `false` for none).
 *
 * Register it before the routes: it then sees every route, including those of encapsulated
 * plugins. Duration runs from the server's `request` event (`inject()`: from `onRequest`) to
 * the end of the response. A handler that throws is recorded with the status Fastify sent; a
 * client that disconnects before the response finished is recorded once as 499.
 * `config: { metrics: false }` leaves a route out. Bad options make `register` reject with a
 * `TypeError` prefixed `@promwire/fastify:`.
 *
 * @example
 * const app = Fastify();
 * await app.register(metrics, { registry });
 * app.get('/users/:id', handler); // http_requests_total{method="GET",route="/users/:id",status_code="200"}
 */
export const metrics: FastifyPluginAsync<FastifyMetricsOptions> = fp(promwireFastify, {
  fastify: '4.x || 5.x',
  name: PKG,
});
