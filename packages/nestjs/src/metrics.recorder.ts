/**
 * The module's HTTP recorder and `/metrics` endpoint, built once from the options: both are
 * core's, shared by the Express and the Fastify platform code.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type HttpRecorder, type MetricsEndpoint, type Registry,
  checkOptionKeys, createHttpMetrics, createMetricsEndpoint, isPath, optionError, resolvePath,
} from '@promwire/core';
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
    const o = checkOptionKeys(PKG, options, ['getRoute']) as MetricsModuleOptions;
    const { getRoute } = o;
    if (getRoute !== undefined && typeof getRoute !== 'function') {
      throw optionError(PKG, `getRoute must be a function, got ${typeof getRoute}`);
    }
    this.path = resolvePath(PKG, o.path);
    this.customRoute = getRoute !== undefined;
    this.recorder = createHttpMetrics<IncomingMessage, ServerResponse>({
      ...o,
      pkg: PKG,
      adapterKeys: ['getRoute'],
      // On Express the route is read when the request ends; on Fastify a route hook sets it on
      // the state, and a raw Node request has no `route`, so this answers undefined there.
      routeOf: getRoute ?? expressRouteOf,
    });
    this.registry = this.recorder.options.registry;
    this.endpoint =
      this.path === false ? undefined : createMetricsEndpoint({ registry: this.registry, auth: o.auth, pkg: PKG });
  }

  /** True when `url` (path and query) addresses the metrics endpoint. */
  isMetricsPath(url: string | undefined): boolean {
    return this.path !== false && url !== undefined && isPath(url, this.path);
  }
}
