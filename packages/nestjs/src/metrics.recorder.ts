/**
 * The module's HTTP recorder and `/metrics` endpoint, built once from the options: both are
 * core's, shared by the Express and the Fastify platform code.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type HttpRecorder, type MetricsEndpoint, type Registry, adapterParts, isPath } from '@promwire/core';
import { PKG } from './metrics.constants';
import type { MetricsModuleOptions } from './metrics.interfaces';
import { expressRouteOf } from './route.template';

export class NestHttpMetrics {
  readonly recorder: HttpRecorder<IncomingMessage, ServerResponse>;
  /** Undefined when `path: false`. */
  readonly endpoint: MetricsEndpoint | undefined;
  /** Where the endpoint is served, or false. */
  readonly path: string | false;
  readonly registry: Registry;
  /** True when the user's `getRoute` labels requests instead of the Nest route template. */
  readonly customRoute: boolean;

  /** Validates `options` (one `TypeError` prefixed `@promwire/nestjs:`) and registers the metrics. */
  constructor(options: MetricsModuleOptions | undefined) {
    // On Express the route is read when the request ends; on Fastify a route hook sets it on
    // the state, and a raw Node request has no `route`, so `expressRouteOf` answers undefined there.
    const parts = adapterParts<IncomingMessage, ServerResponse>(PKG, options, expressRouteOf);
    this.recorder = parts.recorder;
    this.endpoint = parts.endpoint;
    this.path = parts.path;
    this.registry = parts.recorder.options.registry;
    this.customRoute = options?.getRoute !== undefined;
  }

  /** True when `url` (path and query) addresses the metrics endpoint. */
  isMetricsPath(url: string | undefined): boolean {
    return this.path !== false && url !== undefined && isPath(url, this.path);
  }
}
