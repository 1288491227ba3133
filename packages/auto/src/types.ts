/** Public types of @promwire/auto. */
import type { ClientName, MetricsAuth } from '@promwire/core';

/** What the preload instruments; `PROMWIRE_INSTRUMENTATIONS` picks some (default all). */
export const INSTRUMENTATIONS = ['http', 'express', 'fastify', 'koa', 'nestjs', 'ml'] as const;
export type Instrumentation = (typeof INSTRUMENTATIONS)[number];

/** The adapter options every instrumentation gets from the environment. */
export interface SharedOptions {
  prefix?: string;
  naming?: 'default' | 'otel';
  groupStatusCodes?: boolean;
  defaultMetrics?: boolean;
  requestSize?: boolean;
  responseSize?: boolean;
  exemplars?: boolean;
  maxLabelValues?: number;
  durationBuckets?: number[];
  sizeBuckets?: number[];
  exclude?: (string | RegExp)[];
  labels?: Record<string, unknown>;
  /** `PROMWIRE_GENAI=false`: off; `PROMWIRE_GENAI_ROUTES`: the routes read. Default: on, OpenAI's routes. */
  genai?: false | { routes: string[] };
}

/**
 * The `PROMWIRE_CONFIG` file's export: callbacks shared by every instrumentation (`labels`,
 * `skip`, `getRoute`; each receives what that framework's adapter gives its callbacks: Node's
 * request and response for `http` and NestJS, Express's, Fastify's request and reply, Koa's
 * context), and options per instrumentation, which win over the shared ones.
 *
 * @example
 * // promwire.config.js
 * module.exports = {
 *   labels: { tenant: (req) => String(req.headers['x-tenant'] ?? '') },
 *   express: { skip: (req) => req.path === '/healthz' },
 * };
 */
export interface ConfigFile {
  labels?: Record<string, unknown>;
  skip?: (req: never, res: never) => boolean;
  getRoute?: (req: never, res: never) => string | undefined;
  exclude?: (string | RegExp)[];
  modelName?: unknown;
  http?: Record<string, unknown>;
  express?: Record<string, unknown>;
  fastify?: Record<string, unknown>;
  koa?: Record<string, unknown>;
  nestjs?: Record<string, unknown>;
  ml?: Record<string, unknown>;
}

/** The preload's configuration, as read from the environment and the config file. */
export interface AutoConfig {
  /** `PROMWIRE_PORT`, default 9464; 0 picks a free port (named in the start-up line). */
  port: number;
  /** `PROMWIRE_HOST`, default `0.0.0.0`. */
  host: string;
  /** `PROMWIRE_PATH`, default `/metrics`. */
  path: string;
  client: ClientName | undefined;
  auth: MetricsAuth | undefined;
  shared: SharedOptions;
  /** ML bucket options. */
  ml: Record<string, unknown>;
  instrumentations: ReadonlySet<Instrumentation>;
  file: ConfigFile;
}

/** A running preload. */
export interface Registration {
  /** The configuration in force. */
  readonly config: AutoConfig;
  /** The metrics server's URL once it listens (after the app's first HTTP server does). */
  readonly url: string | undefined;
  /**
   * Undoes everything: restores every patched function (wrappers still held by apps built
   * meanwhile call straight through), unsubscribes from the diagnostics channels and closes
   * the metrics server. Resolves once the port is free. A later `register()` starts afresh.
   */
  shutdown(): Promise<void>;
}
