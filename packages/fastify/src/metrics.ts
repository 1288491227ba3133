import type {
  FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, HookHandlerDoneFunction,
} from 'fastify';
import fp from 'fastify-plugin';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type MetricsEndpoint, adapterParts, endOnClose, optionError, stateOf,
} from '@promwire/core';
import { routeHooks, routeOfRequest, routeOrOptOut } from './route-hooks';
import { isMalformedUrl } from './bad-url';
import type { FastifyMetricsOptions } from './types';

const PKG = '@promwire/fastify';

async function promwireFastify(fastify: FastifyInstance, options: FastifyMetricsOptions): Promise<void> {
  if (fastify.hasRequestDecorator('promwire')) {
    throw optionError(PKG, 'is already registered on this Fastify instance; register it once, before the routes');
  }
  const { recorder, endpoint, path } = adapterParts<FastifyRequest, FastifyReply>(PKG, options, routeOfRequest);
  const { getRoute } = options;

  fastify.decorateRequest('promwire', null);
  // Fastify 4 builds `request.routeOptions` at a cost of about 1.4 µs per read, so each route gets
  // a hook that knows its template; on Fastify 5 the read costs tens of nanoseconds, less than
  // running one more hook, so the template is read once when the response is done.
  const hookPerRoute = getRoute === undefined && fastify.version.startsWith('4.');
  fastify.addHook('onRoute', routeHooks(PKG, recorder, hookPerRoute));
  // Fastify answers some URLs before any hook runs: malformed percent-encoding (400) and a path
  // parameter longer than maxParamLength (414). Only the server's own `request` event sees
  // those, so suspect URLs are tracked there and adopted by onRequest if Fastify routes them.
  const maxParamLength = fastify.initialConfig.maxParamLength ?? 100;
  fastify.server.on('request', function promwireSuspectUrl(req: IncomingMessage, res: ServerResponse) {
    const url = req.url;
    if (url === undefined || (url.length <= maxParamLength && (url.indexOf('%') === -1 || !isMalformedUrl(url)))) return;
    if (stateOf(res) !== undefined) return; // Fastify's own hooks ran first and track it
    const state = recorder.begin(req as unknown as FastifyRequest, res as unknown as FastifyReply, req);
    if (state !== undefined) endOnClose(state, res);
  });
  fastify.addHook('onRequest', function promwireOnRequest(request, reply, done: HookHandlerDoneFunction) {
    const tracked = stateOf<FastifyRequest, FastifyReply>(reply.raw);
    if (tracked !== undefined) {
      if (tracked.recorder === recorder) {
        tracked.req = request;
        tracked.res = reply;
        request.promwire = tracked;
      }
      return done();
    }
    const state = recorder.begin(request, reply, request.raw);
    if (state !== undefined) {
      request.promwire = state;
      // The raw response's `close` records a client that went away (499) on every Fastify
      // version and counts the bytes written (`responseSize`).
      endOnClose(state, reply.raw);
    }
    done();
  });
  fastify.addHook('onResponse', function promwireOnResponse(request, reply, done: HookHandlerDoneFunction) {
    const state = request.promwire;
    if (state !== null) {
      // No route hook set the template (Fastify 5, or answered by an earlier onRequest hook):
      // read it, and the route's opt-out, from the route's options once.
      if (state.route === undefined) {
        const route = routeOrOptOut(request);
        if (route === null) return void (recorder.discard(state), done());
        if (getRoute === undefined) state.route = route;
      }
      recorder.end(state, reply.raw.statusCode);
    }
    done();
  });

  if (endpoint !== undefined) {
    fastify.route({
      // Every method reaches core's handler, which answers 405 to all but GET and HEAD.
      method: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'],
      url: path as string,
      config: { metrics: false },
      handler: (request, reply) => serveMetrics(endpoint, request, reply),
    });
  }
}

/** Sends core's response through `reply`; a gzip body carries its `content-encoding`, which compression plugins leave alone. */
async function serveMetrics(endpoint: MetricsEndpoint, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const { status, headers, body } = await endpoint.respond(request.raw);
  return reply.code(status).headers(headers).send(body);
}

/**
 * Fastify 4 and 5 plugin recording `http_requests_total`, `http_request_duration_seconds` and
 * `http_requests_in_flight` for every request of the app, labelled with Fastify's route
 * template (mount prefixes included; `__unmatched__` for the not-found handler), and serving
 * the registry at `/metrics` (the `path` option; `false` for none).
 *
 * Register it before the routes: its hooks then see every route, including those of
 * encapsulated plugins. Duration runs from `onRequest` to the end of the response. A handler
 * that throws is recorded with the status Fastify sent; a client that disconnects before the
 * response finished is recorded once as 499. `config: { metrics: false }` leaves a route out.
 * Bad options make `register` reject with a `TypeError` prefixed `@promwire/fastify:`.
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
