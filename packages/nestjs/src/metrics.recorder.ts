/**
 * The module's request lifecycle (recorder and `/metrics` endpoint), built once from the
 * options: core's, shared by the Express and the Fastify platform code.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from '@promwire/core';
import { type RequestLifecycle, createLifecycle } from '@promwire/core/adapter';
import { PKG } from './metrics.constants';
import type { MetricsModuleOptions } from './metrics.interfaces';
import { isExcludedRoute, nestRouteOf } from './route.template';

export class NestHttpMetrics {
  readonly lifecycle: RequestLifecycle<IncomingMessage, ServerResponse>;
  readonly registry: Registry;

  /** Validates `options` (one `TypeError` prefixed `@promwire/nestjs:`) and registers the metrics. */
  constructor(options: MetricsModuleOptions | undefined) {
    // On Express the route is read when the request ends; on Fastify a route hook gives it to
    // the request, and a raw Node request has no Express route, so `nestRouteOf` answers undefined.
    this.lifecycle = createLifecycle<IncomingMessage, ServerResponse>(PKG, options, {
      routeOf: nestRouteOf, leftOut: isExcludedRoute, bodyOf: (req) => (req as { body?: unknown }).body,
    });
    this.registry = this.lifecycle.recorder.options.registry;
  }
}
