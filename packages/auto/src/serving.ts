/**
 * The metrics endpoint of the preload: `startMetricsServer` of `@promwire/core` on
 * `PROMWIRE_HOST:PROMWIRE_PORT`, opened when the app's first HTTP server starts listening
 * (Node's `tracing:net.server.listen:asyncEnd` channel), so that a process that serves nothing
 * (npm, a build tool, a CLI started under the same NODE_OPTIONS) never takes the port. It does
 * not keep the process alive (unref). A port already in use is reported once; the app runs on.
 *
 * Under `cluster`, workers never open it; the primary opens it when it forks its first worker
 * and serves the aggregate of its workers (core's `clusterMetrics`, when this core has it).
 */
import type { Server } from 'node:http';
import { reason, report } from './log';
import type { ClusterModule } from './shapes';
import type { AutoConfig } from './types';

interface Running {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export class Serving {
  private started = false;
  private clusterSeen = false;
  private running: Running | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly config: AutoConfig,
    private readonly beforeServing: () => void,
  ) {}

  get url(): string | undefined {
    return this.running?.url;
  }

  /** True for the preload's own server, whose requests are not recorded. */
  owns(server: unknown): boolean {
    return this.running !== undefined && server === this.running.server;
  }

  /** A server finished `listen()`: the first HTTP one opens the endpoint (not in a cluster worker). */
  onListening(message: unknown): void {
    if (this.started) return;
    const server = (message as { server?: unknown }).server;
    if (!isHttpServer(server) || server === this.running?.server) return;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cluster = require('node:cluster') as { isWorker: boolean };
    if (cluster.isWorker) return;
    this.start();
  }

  /**
   * The app required `node:cluster`. In the primary, its first `fork` opens the endpoint for
   * the aggregate of the workers: core's `clusterMetrics`, which this version of
   * `@promwire/core` does not have yet; until then this is reported once and nothing is
   * served (workers never open the port either way).
   */
  onCluster(cluster: ClusterModule): void {
    if (!cluster.isPrimary || this.clusterSeen) return;
    this.clusterSeen = true;
    cluster.once('fork', () => {
      if (this.started) return;
      this.started = true;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const core = require('@promwire/core') as Record<string, unknown>;
      if (typeof core.clusterMetrics !== 'function') {
        report('cluster primary: this @promwire/core has no clusterMetrics(), so the aggregate of the workers is not served; the workers do not open the metrics port');
      }
    });
  }

  /** Opens the endpoint now (a cluster primary forking its first worker; or the first HTTP server). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.beforeServing();
    const { port, host, path, auth, client } = this.config;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const core = require('@promwire/core') as typeof import('@promwire/core');
    core.startMetricsServer({ port, host, path, auth, client }).then(
      (running) => {
        running.server.unref();
        if (this.closing !== undefined) return void running.close();
        this.running = running;
        report(`metrics on ${running.url}`);
      },
      (error: NodeJS.ErrnoException) => {
        const why = error.code === 'EADDRINUSE' ? 'the address is in use' : reason(error);
        report(`cannot serve metrics on ${host}:${port} (PROMWIRE_HOST, PROMWIRE_PORT): ${why}; the app runs on without the metrics endpoint`);
      },
    );
  }

  close(): Promise<void> {
    this.closing ??= this.running === undefined ? Promise.resolve() : this.running.close().catch(() => undefined);
    return this.closing;
  }
}

function isHttpServer(server: unknown): server is Server {
  return typeof server === 'object' && server !== null && typeof (server as Server).closeIdleConnections === 'function';
}
