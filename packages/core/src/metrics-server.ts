/**
 * `/metrics` on a port of its own, for apps that must not expose metrics on their public
 * port (the Python client's `start_http_server`). 9464 is the OpenTelemetry Prometheus
 * exporter's default port.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClientName, Registry } from './prom';
import type { MetricsAuth } from './auth';
import { type MetricsEndpoint, createMetricsEndpoint } from './endpoint';
import { isPath } from './labels';
import { DEFAULT_METRICS_PATH, SERVER_KEYS, checkEntryKeys, describe, optionError } from './options';

/** The standalone server's default port: the OpenTelemetry Prometheus exporter's. */
export const DEFAULT_METRICS_PORT = 9464;

/** What startMetricsServer accepts: the endpoint's and listener's options, and its start-up line's. */
const STARTER_KEYS: readonly string[] = [...SERVER_KEYS, 'log'];

/** Options of {@link startMetricsServer}. */
export interface MetricsServerOptions {
  /** Default 9464; 0 picks a free port. */
  port?: number;
  /**
   * Default: all interfaces, as Node's `listen` (and the Python client's `start_http_server`),
   * since Prometheus usually scrapes from another host; `'127.0.0.1'` keeps it on this machine.
   */
  host?: string;
  /** Default `/metrics`. */
  path?: string;
  /** Registry to serve (a prom-client or @prometheus-io/client one). Default: the client's global registry. */
  registry?: Registry;
  /** Which client's global registry to serve when no `registry` is given; see `HttpMetricsOptions.client`. */
  client?: ClientName;
  /** Protects the endpoint; see {@link MetricsAuth}. */
  auth?: MetricsAuth;
  /**
   * Where the one start-up line naming the bound address goes
   * (`@promwire/core: metrics on http://[::]:9464/metrics (all interfaces)`): default stderr,
   * except under `NODE_ENV=test` (as Express's default error log); a function receives the line
   * instead (a throw is ignored); `false` prints nothing.
   */
  log?: false | ((line: string) => void);
}

/** A running standalone metrics server. */
export interface MetricsServer {
  readonly server: Server;
  readonly port: number;
  /** `http://host:port/path`. */
  readonly url: string;
  /** Stops listening and drops open connections; the port is free when it resolves. */
  close(): Promise<void>;
}

/**
 * Starts an HTTP server answering `path` with the registry's metrics and 404 elsewhere.
 * Rejects with a `TypeError` on an option it does not take (recorder options such as `prefix`
 * or `labels` belong to the adapter or `createHttpMetrics`), and rejects if the port cannot be
 * bound.
 *
 * @example
 * const server = await startMetricsServer({ port: 9464 });
 * // … later
 * await server.close();
 */
export async function startMetricsServer(options: MetricsServerOptions = {}): Promise<MetricsServer> {
  const pkg = '@promwire/core';
  checkEntryKeys(pkg, 'startMetricsServer', options, STARTER_KEYS);
  const { log } = options;
  if (log !== undefined && log !== false && typeof log !== 'function') throw optionError(pkg, `log must be false or a function, got ${describe(log)}`);
  const where = checkListenOptions(pkg, options);
  const endpoint = createMetricsEndpoint({ registry: options.registry, client: options.client, auth: options.auth, pkg });
  const running = await serveEndpoint(endpoint, where);
  const line = `${pkg}: metrics on ${running.url}${where.host === undefined ? ' (all interfaces; host: \'127.0.0.1\' keeps them on this machine)' : ''}`;
  if (typeof log === 'function') {
    try {
      log(line);
    } catch {
      // The server is up; a logger that throws must not turn that into a rejection.
    }
  } else if (log === undefined && process.env.NODE_ENV !== 'test') {
    process.stderr.write(`${line}\n`);
  }
  return running;
}

/** Where a metrics server listens, checked. */
export interface ListenOptions {
  port: number;
  host: string | undefined;
  path: string;
}

/** Checks `port` (default 9464), `host` and `path` (default `/metrics`); `TypeError`s prefixed with `pkg`. */
export function checkListenOptions(pkg: string, options: { port?: unknown; host?: unknown; path?: unknown }): ListenOptions {
  if (options.host !== undefined && typeof options.host !== 'string') throw optionError(pkg, `host must be a string, got ${describe(options.host)}`);
  const port = options.port ?? DEFAULT_METRICS_PORT;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw optionError(pkg, `port must be an integer 0–65535, got ${describe(port)}`);
  }
  const path = options.path ?? DEFAULT_METRICS_PATH;
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw optionError(pkg, `path must be a string starting with "/", got ${describe(path)}`);
  }
  return { port, host: options.host, path };
}

/**
 * An HTTP server answering `path` with `endpoint` and 404 elsewhere, listening on `port` and
 * `host`; rejects if the port cannot be bound.
 */
export async function serveEndpoint(endpoint: MetricsEndpoint, { port, host, path }: ListenOptions): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    if (isPath(req.url ?? '/', path)) {
      void endpoint.handle(req, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not Found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    port: address.port,
    url: `http://${shownHost}:${address.port}${path}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
