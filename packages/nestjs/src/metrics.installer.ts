/**
 * Attaches the recorder to the application's HTTP platform. Called from
 * `MetricsModule.configure()`, which Nest runs once the HTTP adapter is set and before it
 * registers the controllers' routes, so that Fastify's `onRoute` hook sees them and the
 * handlers' exclusion is resolved before Nest copies their metadata.
 */
import type { DiscoveryService, HttpAdapterHost, MetadataScanner, Reflector } from '@nestjs/core';
import { PKG } from './metrics.constants';
import { instrumentExpress } from './express.platform';
import { markRouteHandlers } from './metrics.explorer';
import { instrumentFastifyApp } from './fastify.platform';
import type { NestHttpMetrics } from './metrics.recorder';

const kInstrumented = Symbol('promwire.nestjs.instrumented');

export class MetricsInstaller {
  constructor(
    private readonly metrics: NestHttpMetrics,
    private readonly host: HttpAdapterHost | null,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  install(): void {
    const adapter = this.host?.httpAdapter;
    // An application context or a microservice: no HTTP requests to record.
    if (adapter === undefined || adapter === null) return;
    const instance = adapter.getInstance() as Record<symbol, unknown>;
    if (instance[kInstrumented] === true) {
      throw new Error(`${PKG}: MetricsModule is imported twice with different options in one application; import it once, in the root module`);
    }
    const type = adapter.getType();
    if (type !== 'express' && type !== 'fastify') {
      throw new Error(`${PKG}: the HTTP platform "${type}" is not supported (use @nestjs/platform-express or @nestjs/platform-fastify)`);
    }
    markRouteHandlers(this.discovery, this.scanner, this.reflector, type);
    if (type === 'express') {
      instrumentExpress(instance as unknown as Parameters<typeof instrumentExpress>[0], this.metrics.lifecycle);
    } else {
      instrumentFastifyApp(instance, this.metrics.lifecycle);
    }
    instance[kInstrumented] = true;
  }
}
