import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency, Type } from '@nestjs/common';
import type { MetricsOptions } from '@promwire/core';

/**
 * Options of {@link MetricsModule}: the options every promwire adapter shares (SPEC.md), plus
 * `getRoute`. The callbacks (`labels`, `skip`, `getRoute`) receive Node's request and response
 * on both platforms (on Express they are Express's own objects, which extend them).
 */
export interface MetricsModuleOptions extends MetricsOptions<IncomingMessage, ServerResponse> {
  /**
   * The route label of a finished request, instead of the Nest route template; undefined means
   * unmatched (`__unmatched__`). Called for every recorded request, 404s included. A throw or a
   * non-string counts as unmatched. Handlers marked `@ExcludeFromMetrics()` stay left out.
   *
   * @example
   * // The route an upstream gateway names, for every request:
   * MetricsModule.forRoot({ getRoute: (req) => req.headers['x-route-template'] as string | undefined })
   */
  getRoute?: (req: IncomingMessage, res: ServerResponse) => string | undefined;
}

/** A class that builds the module's options, for `forRootAsync({ useClass | useExisting })`. */
export interface MetricsOptionsFactory {
  createMetricsOptions(): MetricsModuleOptions | Promise<MetricsModuleOptions>;
}

/**
 * Options of `MetricsModule.forRootAsync`: exactly one of `useFactory`, `useClass` and
 * `useExisting`; `inject` lists the factory's arguments, `imports` the modules providing them.
 */
export interface MetricsModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory?: (...args: never[]) => MetricsModuleOptions | Promise<MetricsModuleOptions>;
  inject?: (InjectionToken | OptionalFactoryDependency)[];
  useClass?: Type<MetricsOptionsFactory>;
  useExisting?: InjectionToken<MetricsOptionsFactory>;
}
