import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency, Type } from '@nestjs/common';
import type { MetricsOptions } from '@promwire/core';

/**
 * Options of {@link MetricsModule}: the options every promwire adapter shares (SPEC.md).
 * `labels` and `skip` callbacks receive Node's request and response on both platforms (on
 * Express they are Express's own objects, which extend them).
 */
export type MetricsModuleOptions = MetricsOptions<IncomingMessage, ServerResponse>;

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
