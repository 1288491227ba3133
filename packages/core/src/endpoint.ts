/**
 * The one `/metrics` endpoint every adapter and the standalone server call: Accept-negotiated
 * OpenMetrics 1.0.0 or text 0.0.4 from one registry, gzip when accepted, optional auth, and a
 * 500 carrying the error message when a collector throws, never half an exposition.
 *
 * Single flight: scrapes of the same format that arrive while a render of that format is in
 * flight share it (and its gzip body); a scrape arriving after it finished starts a new render,
 * so no scrape is answered with a render that had finished before the scrape arrived. A render
 * that fails gives every scrape sharing it the 500.
 *
 * A scrape never holds the event loop for long: the registry is rendered in slices that yield
 * between them, the whole body is built before anything is sent (so a collector that throws
 * midway still gives one clean 500), and gzip runs on zlib's thread pool.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { type ClientName, type Registry, isRegistry, registryFor } from './prom';
import { createAuthCheck, type MetricsAuth } from './auth';
import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE, renderRegistryBody } from './exposition';
import { type ExpositionFormat, acceptsGzip, negotiateFormat } from './negotiation';
import { METRICS_ENDPOINT_KEYS, checkEntryKeys, describe, optionError } from './options';
import { type ProtobufSource, protobufSource } from './protobuf/source';
import { PROTOBUF_CONTENT_TYPE } from './push/protobuf';

const gzipAsync = promisify(gzip);

const CONTENT_TYPES: Readonly<Record<ExpositionFormat, string>> = {
  protobuf: PROTOBUF_CONTENT_TYPE,
  openmetrics: OPENMETRICS_CONTENT_TYPE,
  text: PROMETHEUS_CONTENT_TYPE,
};

/** One render in flight, shared by every scrape of its format that joins before it settles. */
interface Render {
  exposition: Promise<string | Buffer>;
  /** Created by the first waiter that wants gzip, then shared. */
  gzipped: Promise<Buffer> | undefined;
}

/** Options of {@link metricsHandler} and {@link createMetricsEndpoint}. */
export interface MetricsEndpointOptions {
  /** Registry to serve (a prom-client or @prometheus-io/client one). Default: the client's global registry. */
  registry?: Registry;
  /** Which client's global registry to serve when no `registry` is given; see `HttpMetricsOptions.client`. */
  client?: ClientName;
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
 * on a bad `registry` or `auth`, or an option it does not take; `respond` and `handle` never
 * reject. Concurrent scrapes of one format share one render in flight.
 *
 * @example
 * const endpoint = createMetricsEndpoint({ registry, auth: { bearer: process.env.METRICS_TOKEN! } });
 * const { status, headers, body } = await endpoint.respond(req);
 */
export function createMetricsEndpoint(options: MetricsEndpointOptions = {}): MetricsEndpoint {
  const pkg = typeof options?.pkg === 'string' ? options.pkg : '@promwire/core';
  checkEntryKeys(pkg, 'createMetricsEndpoint', options, METRICS_ENDPOINT_KEYS);
  if (options.registry !== undefined && !isRegistry(options.registry)) {
    throw optionError(pkg, `registry must be a prom-client Registry or an @prometheus-io/client Registry, got ${describe(options.registry)}`);
  }
  const registry = registryFor(pkg, options.registry, options.client);
  // The last body's size per format (0.0.4, OpenMetrics): where the next one's buffer starts.
  const sizes = [0, 0];
  const render = async (openMetrics: boolean): Promise<Buffer> => {
    const format = openMetrics ? 1 : 0;
    const body = await renderRegistryBody(registry, openMetrics, undefined, sizes[format]);
    sizes[format] = body.length;
    return body;
  };
  return endpointOf(pkg, options.auth, render, protobufSource(registry));
}

/**
 * The endpoint over any source of the exposition: `createMetricsEndpoint` passes its registry's
 * render, a cluster primary the aggregate of its workers. Same negotiation, gzip, auth, single
 * flight and 500 on a failed render. A render should yield to the event loop as it goes (see
 * `renderRegistryBody`) and give a `Buffer`: the body is sent as it is, and compressed by zlib on
 * its thread pool, so the only work left on the loop is a few small callbacks. Throws a `TypeError` prefixed with `pkg` on a bad `auth`.
 * `protobuf`, when given, answers protobuf scrapes while it offers them (native histograms on).
 */
export function endpointOf(
  pkg: string,
  authOption: unknown,
  renderExposition: (openMetrics: boolean) => Promise<string | Buffer>,
  protobuf?: ProtobufSource,
): MetricsEndpoint {
  const auth = createAuthCheck(pkg, authOption);
  const inFlight = new Map<ExpositionFormat, Render>();

  /** Joins the render of `format` in flight, or starts one. */
  function render(format: ExpositionFormat): Render {
    const running = inFlight.get(format);
    if (running !== undefined) return running;
    const exposition = format === 'protobuf' ? protobuf!.render() : renderExposition(format === 'openmetrics');
    const entry: Render = { exposition, gzipped: undefined };
    inFlight.set(format, entry);
    const settled = (): void => {
      if (inFlight.get(format) === entry) inFlight.delete(format);
    };
    entry.exposition.then(settled, settled);
    return entry;
  }

  async function respond(req: IncomingMessage): Promise<MetricsResponse> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return text(405, 'Method Not Allowed\n', { allow: 'GET, HEAD' });
    }
    if (auth !== undefined && !(await auth.allows(req))) {
      return text(401, 'Unauthorized\n', { 'www-authenticate': auth.challenge });
    }
    const format = negotiateFormat(req.headers.accept, protobuf?.offered() === true);
    const gzipped = acceptsGzip(req.headers['accept-encoding']);
    let body: string | Buffer;
    try {
      const shared = render(format);
      if (gzipped) shared.gzipped ??= shared.exposition.then((exposition) => gzipAsync(exposition));
      body = gzipped ? await (shared.gzipped as Promise<Buffer>) : await shared.exposition;
    } catch (error) {
      return text(500, `Error collecting metrics: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    const headers: Record<string, string> = {
      'content-type': CONTENT_TYPES[format],
      'cache-control': 'no-store',
      vary: 'Accept, Accept-Encoding',
    };
    if (gzipped) headers['content-encoding'] = 'gzip';
    return { status: 200, headers, body };
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
