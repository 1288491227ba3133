/**
 * Resolves `@ExcludeFromMetrics()` for every controller method before Nest registers its
 * routes: `Reflector.getAllAndOverride` over the method and its class, the answer written on
 * the method (ROUTE_HANDLER). On Express, Nest copies it onto the function it registers, so
 * the matched route tells a Nest handler from the routes Nest adds of its own (the 404 handler
 * under a global prefix, route-bound middleware), and whether it is excluded. On Fastify, Nest
 * may wrap that function (routes with parameters), so the answer also goes into the handler's
 * `@RouteConfig()`, which Nest hands to Fastify as the route's `config`.
 */
import { SetMetadata } from '@nestjs/common';
import type { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { EXCLUDE_FROM_METRICS, ROUTE_HANDLER } from './metrics.constants';

/** The metadata key of `@RouteConfig()` from `@nestjs/platform-fastify` (10 to 12). */
const FASTIFY_ROUTE_CONFIG = '__fastify_route_config__';

interface MetadataReader {
  getMetadata(key: string, target: object): unknown;
}

export function markRouteHandlers(
  discovery: DiscoveryService,
  scanner: MetadataScanner,
  reflector: Reflector,
  platform: 'express' | 'fastify',
): void {
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as (abstract new (...args: never[]) => unknown) | null | undefined;
    if (typeof controller !== 'function') continue;
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const method = prototype[name];
      if (typeof method !== 'function') continue;
      const excluded = reflector.getAllAndOverride<boolean | undefined>(EXCLUDE_FROM_METRICS, [method, controller]) === true;
      SetMetadata(ROUTE_HANDLER, excluded)(method);
      if (platform === 'fastify') {
        const config = (Reflect as unknown as MetadataReader).getMetadata(FASTIFY_ROUTE_CONFIG, method);
        SetMetadata(FASTIFY_ROUTE_CONFIG, { ...(config as object | undefined), [ROUTE_HANDLER]: excluded })(method);
      }
    }
  }
}

/**
 * For a function registered with Express: undefined when it is not a Nest route handler, else
 * whether `@ExcludeFromMetrics()` applies to it.
 */
export function handlerExclusion(handler: unknown): boolean | undefined {
  if (typeof handler !== 'function') return undefined;
  const value = (Reflect as unknown as MetadataReader).getMetadata(ROUTE_HANDLER, handler);
  return typeof value === 'boolean' ? value : undefined;
}

/** The same for a Fastify route's `config`. */
export function configExclusion(config: unknown): boolean | undefined {
  const value = typeof config === 'object' && config !== null ? (config as Record<string, unknown>)[ROUTE_HANDLER] : undefined;
  return typeof value === 'boolean' ? value : undefined;
}
