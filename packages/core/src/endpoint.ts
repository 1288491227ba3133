/**
 * The one `/metrics` endpoint every adapter and the standalone server call: Accept-negotiated
 * OpenMetrics 1.0.0 or text 0.0.4 from one registry, gzip when accepted, optional auth, and a
 * 500 carrying the error message when a collector throws, never half an exposition.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { type Registry, globalRegistry, isRegistry } from './prom';
import { createAuthCheck, type MetricsAuth } from './auth';
import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE, renderRegistry } from './exposition';
import { acceptsGzip, wantsOpenMetrics } from './negotiation';
import { describe, optionError } from './options';

const gzipAsync = promisify(gzip);

/** Options of {@link metricsHandler} and {@link createMetricsEndpoint}. */
export interface MetricsEndpointOptions {
  /** Registry to serve. Default: prom-client's global `register`. */
  registry?: Registry;
  /** Protects the endpoint; see {@link MetricsAuth}. */
  auth?: MetricsAuth;
  /** Package name that prefixes error messages. */
  pkg?: string;
}

/** What the endpoint answers, for adapters that write responses their framework's way. */
export interface MetricsResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** The `/metrics` endpoint, as a reply to compute or a Node handler. */
export interface MetricsEndpoint {
  /** The response to one scrape of the raw Node request. Never rejects. */
  respond(req: IncomingMessage): Promise<MetricsResponse>;
  /** Writes the response to a Node `ServerResponse`. Never rejects. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/**
 * The one `/metrics` endpoint every adapter and the standalone server use. Throws a `TypeError`
 * on a bad `registry` or `auth`; `respond` and `handle` never reject.
 *
 * @example
 * const endpoint = createMetricsEndpoint({ registry, auth: { bearer: process.env.METRICS_TOKEN! } });
 * const { status, headers, body } = await endpoint.respond(req);
 */
export function createMetricsEndpoint(options: MetricsEndpointOptions = {}): MetricsEndpoint {
  const pkg = options.pkg ?? '@promwire/core';
  if (options.registry !== undefined && !isRegistry(options.registry)) {
    throw optionError(pkg, `registry must be a prom-client Registry, got ${describe(options.registry)}`);
  }
  const registry = options.registry ?? globalRegistry;
  const auth = createAuthCheck(pkg, options.auth);

  async function respond(req: IncomingMessage): Promise<MetricsResponse> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return text(405, 'Method Not Allowed\n', { allow: 'GET, HEAD' });
    }
    if (auth !== undefined && !(await auth.allows(req))) {
      return text(401, 'Unauthorized\n', { 'www-authenticate': auth.challenge });
    }
    const openMetrics = wantsOpenMetrics(req.headers.accept);
    let exposition: string;
    try {
      exposition = await renderRegistry(registry, openMetrics);
    } catch (error) {
      return text(500, `Error collecting metrics: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    const headers: Record<string, string> = {
      'content-type': openMetrics ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE,
      'cache-control': 'no-store',
      vary: 'Accept, Accept-Encoding',
    };
    if (acceptsGzip(req.headers['accept-encoding'])) {
      headers['content-encoding'] = 'gzip';
      return { status: 200, headers, body: await gzipAsync(exposition) };
    }
    return { status: 200, headers, body: exposition };
  }

  return {
    respond,
    async handle(req, res) {
      const response = await respond(req);
      if (res.headersSent || res.destroyed) return;
      res.writeHead(response.status, response.headers);
      res.end(req.method === 'HEAD' ? undefined : response.body);
    },
  };
}

/**
 * A Node `(req, res)` handler serving the registry's metrics; usable with `http.createServer`
 * or as a route handler of any framework built on Node's request and response.
 *
 * @example
 * http.createServer(metricsHandler({ registry })).listen(9464);
 */
export function metricsHandler(options: MetricsEndpointOptions = {}): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return createMetricsEndpoint(options).handle;
}

function text(status: number, body: string, extra: Record<string, string> = {}): MetricsResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...extra }, body };
}
