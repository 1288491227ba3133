/**
 * Recording on `@nestjs/platform-fastify`. Fastify runs `onRequest` hooks in the order they were
 * added, and Nest adds its own (middleware through middie, CORS, shutdown 503s) before any module
 * can, so a request one of them answers would never reach a hook of ours. Requests therefore
 * begin in a listener put first on the server's `request` event, which sees every request
 * Fastify will see. The route comes from an `onRoute` hook: each route registered for a Nest
 * handler (known by its `config`, see metrics.explorer.ts) gets a first route-level `onRequest`
 * hook that gives the request its template (none when `getRoute` labels requests), or, for a
 * handler marked `@ExcludeFromMetrics()`, discards it. A request answered before that hook runs
 * is `__unmatched__`, as on Express, where Nest middleware runs before routing. `fastify.inject()` bypasses the server,
 * so it is not recorded. The metrics endpoint is a Fastify route outside Nest's router: no
 * global prefix, guard or interceptor applies to it.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { endOnClose, stateOf } from '@promwire/core';
import { configExclusion } from './metrics.explorer';
import type { NestHttpMetrics } from './metrics.recorder';

interface FastifyRequest {
  raw: IncomingMessage;
}

interface FastifyReply {
  raw: ServerResponse;
  code(status: number): FastifyReply;
  headers(headers: Record<string, string>): FastifyReply;
  send(payload: string | Buffer): FastifyReply;
}

type Hook = (request: FastifyRequest, reply: FastifyReply, done: () => void) => void;

interface RouteOptions {
  url: string;
  config?: unknown;
  onRequest?: Hook | Hook[];
}

interface FastifyInstance {
  addHook(name: 'onRoute', hook: (route: RouteOptions) => void): unknown;
  route(options: {
    method: string;
    url: string;
    handler: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;
  }): unknown;
}

export function instrumentFastify(instance: FastifyInstance, server: Server, metrics: NestHttpMetrics): void {
  const { recorder, endpoint, path } = metrics;

  function beginRequest(req: IncomingMessage, res: ServerResponse): void {
    if (metrics.isMetricsPath(req.url)) return;
    const state = recorder.begin(req, res, req);
    if (state !== undefined) endOnClose(state, res);
  }

  /** The first `onRequest` hook of a Nest route: one per route, made when it is registered. */
  function routeLabel(label: string): Hook {
    return function promwireRoute(_request, reply, done) {
      const state = stateOf(reply.raw);
      if (state !== undefined && state.recorder === recorder) state.route = label;
      done();
    };
  }

  /** The same for every excluded route: the request leaves the in-flight gauge, unrecorded. */
  const discardExcluded: Hook = function promwireExcluded(_request, reply, done) {
    const state = stateOf<IncomingMessage, ServerResponse>(reply.raw);
    if (state !== undefined && state.recorder === recorder) recorder.discard(state);
    done();
  };

  server.prependListener('request', beginRequest);
  instance.addHook('onRoute', (route) => {
    const excluded = configExclusion(route.config);
    if (excluded === undefined || (!excluded && metrics.customRoute)) return;
    const hooks = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [excluded ? discardExcluded : routeLabel(route.url), ...hooks];
  });
  if (endpoint !== undefined && path !== false) {
    instance.route({
      method: 'GET',
      url: path,
      async handler(request, reply) {
        const response = await endpoint.respond(request.raw);
        return reply.code(response.status).headers(response.headers).send(response.body);
      },
    });
  }
}
