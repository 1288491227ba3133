/**
 * The metrics endpoint of the preload: `startMetricsServer` of `@promwire/core` on
 * `PROMWIRE_HOST:PROMWIRE_PORT`, opened when the app's first HTTP server starts listening
 * (Node's `tracing:net.server.listen:asyncEnd` channel), so that a process that serves nothing
 * (npm, a build tool, a CLI started under the same NODE_OPTIONS) never takes the port. It does
 * not keep the process alive (unref). A port already in use is reported once; the app runs on.
 *
 * Under `cluster`, workers never open it (each answers the primary through core's
 * `clusterMetrics`); the primary opens it when it forks its first worker and serves the
 * combined metrics of every worker.
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

  /** A server finished `listen()`: the first HTTP one opens the endpoint, or, in a cluster worker, answers the primary. */
  onListening(message: unknown): void {
    if (this.started) return;
    const server = (message as { server?: unknown }).server;
    if (!isHttpServer(server) || server === this.running?.server) return;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cluster = require('node:cluster') as { isWorker: boolean };
    if (cluster.isWorker) {
      this.started = true;
      this.beforeServing();
      const core = this.core();
      // Binds nothing: answers the primary's scrapes over the cluster's IPC channel.
      if (typeof core.clusterMetrics === 'function') core.clusterMetrics({ client: this.config.client }).catch((error) => report(`cluster worker: ${reason(error)}`));
      return;
    }
    this.start(false);
  }

  /**
   * The app required `node:cluster`. In the primary, its first `fork` opens the endpoint, with
   * the combined metrics of the workers (core's `clusterMetrics`).
   */
  onCluster(cluster: ClusterModule): void {
    if (!cluster.isPrimary || this.clusterSeen) return;
    this.clusterSeen = true;
    cluster.once('fork', () => this.start(true));
  }

  /** Opens the endpoint: the workers' aggregate in a cluster primary, else this process's registry. */
  private start(primary: boolean): void {
    if (this.started) return;
    this.started = true;
    this.beforeServing();
    const { port, host, path, auth, client } = this.config;
    const core = this.core();
    const serving = primary && typeof core.clusterMetrics === 'function'
      ? (core.clusterMetrics({ port, host, path, auth, client }) as Promise<Running>)
      : core.startMetricsServer({ port, host, path, auth, client, log: false }); // the line below says where
    serving.then(
      (running) => {
        running.server.unref();
        if (this.closing !== undefined) return void running.close();
        this.running = running;
        report(`metrics on ${running.url}${primary ? ' (every worker of this cluster)' : ''}`);
      },
      (error: NodeJS.ErrnoException) => {
        const why = error.code === 'EADDRINUSE' ? 'the address is in use' : reason(error);
        report(`cannot serve metrics on ${host}:${port} (PROMWIRE_HOST, PROMWIRE_PORT): ${why}; the app runs on without the metrics endpoint`);
      },
    );
  }

  private core(): typeof import('@promwire/core') & { clusterMetrics?: (options: object) => Promise<unknown> } {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@promwire/core') as typeof import('@promwire/core');
  }

  close(): Promise<void> {
    this.closing ??= this.running === undefined ? Promise.resolve() : this.running.close().catch(() => undefined);
    return this.closing;
  }
}

function isHttpServer(server: unknown): server is Server {
  return typeof server === 'object' && server !== null && typeof (server as Server).closeIdleConnections === 'function';
}
