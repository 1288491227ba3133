/**
 * The public types of `@promwire/fastify`: its options, and what it adds to Fastify's own
 * types by declaration merging (`request.promwire`, route `config.metrics`).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MetricsOptions } from '@promwire/core';
import type { RequestState } from '@promwire/core/adapter';

/**
 * Options of the {@link metrics} plugin: the options every promwire adapter shares
 * (`registry`, `prefix`, `labels`, `skip`, `exclude`, `path`, `auth` …), whose callbacks receive
 * Fastify's own request and reply, plus Fastify's own `getRoute`.
 */
export interface FastifyMetricsOptions extends MetricsOptions<FastifyRequest, FastifyReply> {
  /**
   * The `route` label of a finished request, instead of Fastify's route template
   * (`request.routeOptions.url`). Called once per request, after the response; undefined, a
   * non-string or a throw gives `__unmatched__`. Routes with `config: { metrics: false }` stay
   * unrecorded either way.
   *
   * @example
   * app.register(metrics, { getRoute: (request) => request.routeOptions.config.name });
   */
  getRoute?: (request: FastifyRequest, reply: FastifyReply) => string | undefined;
}

/** What promwire keeps about one request of a Fastify app. */
export type FastifyRequestState = RequestState<FastifyRequest, FastifyReply>;

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * promwire's record of this request between `onRequest` and its end; `null` when the
     * request is not recorded (`skip`, `config: { metrics: false }`, the metrics endpoint).
     * Set by `@promwire/fastify`; applications should only read it.
     */
    promwire: RequestState<FastifyRequest, FastifyReply> | null;
  }

  interface FastifyContextConfig {
    /**
     * `false` leaves this route out of the HTTP metrics: its requests are neither counted nor
     * in flight. Default true.
     *
     * @example
     * app.get('/events', { config: { metrics: false } }, sseHandler);
     */
    metrics?: boolean;
  }
}
