/**
 * The module's HTTP recorder and `/metrics` endpoint, built once from the options: both are
 * core's, shared by the Express and the Fastify platform code.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type HttpRecorder, type MetricsEndpoint, type Registry,
  checkOptionKeys, createHttpMetrics, createMetricsEndpoint, resolvePath,
} from '@promwire/core';
import { EXCLUDED_ROUTE, PKG } from './metrics.constants';
import type { MetricsModuleOptions } from './metrics.interfaces';
import { expressRouteOf } from './route.template';

export class NestHttpMetrics {
  readonly recorder: HttpRecorder<IncomingMessage, ServerResponse>;
  /** Undefined when `path: false`. */
  readonly endpoint: MetricsEndpoint | undefined;
  /** Where the endpoint is served, or false. */
  readonly path: string | false;
  readonly registry: Registry;

  /** Validates `options` (one `TypeError` prefixed `@promwire/nestjs:`) and registers the metrics. */
  constructor(options: MetricsModuleOptions | undefined) {
    const o = checkOptionKeys(PKG, options) as MetricsModuleOptions;
    this.path = resolvePath(PKG, o.path);
    this.recorder = createHttpMetrics<IncomingMessage, ServerResponse>({
      ...o,
      // Requests to handlers marked @ExcludeFromMetrics() are given this route, which the
      // recorder then drops like any excluded route.
      exclude: Array.isArray(o.exclude) ? [...o.exclude, EXCLUDED_ROUTE] : (o.exclude ?? [EXCLUDED_ROUTE]),
      pkg: PKG,
      // On Express the route is read when the request ends; on Fastify it is set on the state
      // by a hook, and a raw Node request has no `route`, so this answers undefined.
      routeOf: expressRouteOf,
    });
    this.registry = this.recorder.options.registry;
    this.endpoint =
      this.path === false ? undefined : createMetricsEndpoint({ registry: this.registry, auth: o.auth, pkg: PKG });
  }

  /** True when `url` (path and query) addresses the metrics endpoint. */
  isMetricsPath(url: string | undefined): boolean {
    const path = this.path;
    if (path === false || url === undefined || !url.startsWith(path)) return false;
    return url.length === path.length || url.charCodeAt(path.length) === 63; /* ? */
  }
}
