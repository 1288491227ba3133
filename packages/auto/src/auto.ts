/**
 * The preload: reads the configuration, then watches module loads (module-hooks.ts) and three
 * diagnostics channels (`http.server.request.start`, `fastify.initialization`,
 * `tracing:net.server.listen:asyncEnd`), patching what it recognises and serving the metrics.
 * One per process, across copies of this package (a registered global): a second `register()`
 * answers the first.
 */
import diagnostics from 'node:diagnostics_channel';
import { ConfigProblem, isDisabled, readConfig } from './config';
import type { AutoContext } from './context';
import { instrumentExpress } from './express';
import { fastifyInitialized } from './fastify';
import { httpServerRequests } from './http-server';
import { instrumentKoa } from './koa';
import { reason, report } from './log';
import { instrumentMl } from './ml';
import { ModuleHooks } from './module-hooks';
import { instrumentNest } from './nestjs';
import { Patches } from './patches';
import { Serving } from './serving';
import { isCluster, isExpress, isKoa, isNestCore, isOnnxRuntime, isTfjs } from './shapes';
import type { AutoConfig, Instrumentation, Registration } from './types';

const kActive = Symbol.for('promwire.auto');
const YIELDS = Symbol.for('promwire.yields');

/** Options of {@link register}: where the configuration comes from (tests). */
export interface RegisterOptions {
  /** Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Against which `PROMWIRE_CONFIG` is resolved. Default `process.cwd()`. */
  cwd?: string;
}

/**
 * Starts the preload (what `@promwire/auto/register` does). Answers the running one when one
 * already is, in this copy or another; undefined when `PROMWIRE_DISABLED` is set or a variable
 * is bad (reported in one line on stderr: promwire stays off, the app runs). Never throws.
 *
 * @example
 * // node --require @promwire/auto/register app.js   (or, in code, first thing:)
 * const { register } = require('@promwire/auto');
 * const auto = register();
 * // … in a test: await auto?.shutdown();
 */
export function register(options: RegisterOptions = {}): Registration | undefined {
  const global = globalThis as Record<symbol, unknown>;
  const running = global[kActive] as Registration | undefined;
  if (running !== undefined) return running;
  const env = options.env ?? process.env;
  // Worker threads run the preload too (Node's own loader thread among them): the process's
  // main thread alone instruments and serves.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (!(require('node:worker_threads') as { isMainThread: boolean }).isMainThread) return undefined;
  try {
    const disabled = isDisabled(env);
    if (disabled instanceof ConfigProblem) return off(disabled);
    if (disabled) return undefined;
    const config = readConfig(env, options.cwd ?? process.cwd());
    if (config instanceof ConfigProblem) return off(config);
    const auto = new Auto(config);
    global[kActive] = auto;
    auto.start();
    return auto;
  } catch (error) {
    report(`not started: ${reason(error)}`);
    return undefined;
  }
}

/** Stops the running preload, if any (see {@link Registration.shutdown}). */
export function shutdown(): Promise<void> {
  const running = (globalThis as Record<symbol, unknown>)[kActive] as Registration | undefined;
  return running === undefined ? Promise.resolve() : running.shutdown();
}

function off(problem: ConfigProblem): undefined {
  report(`${problem.message}; promwire is off, the app runs without it`);
  return undefined;
}

class Auto implements Registration, AutoContext {
  readonly patches = new Patches();
  private readonly serving: Serving;
  private readonly modules: ModuleHooks;
  private readonly http: ReturnType<typeof httpServerRequests>;
  private readonly subscriptions: [string, (message: unknown) => void][] = [];

  constructor(readonly config: AutoConfig) {
    this.http = httpServerRequests(this, (server) => this.serving.owns(server));
    this.serving = new Serving(config, () => this.http.build());
    this.modules = new ModuleHooks(this.patches, (loaded) => this.observe(loaded));
  }

  get url(): string | undefined {
    return this.serving.url;
  }

  start(): void {
    this.modules.install();
    if (this.enabled('http')) this.subscribe('http.server.request.start', (message) => this.http.onRequest(message));
    this.subscribe('fastify.initialization', (message) => fastifyInitialized(this, message));
    this.subscribe('tracing:net.server.listen:asyncEnd', (message) => this.serving.onListening(message));
  }

  async shutdown(): Promise<void> {
    const global = globalThis as Record<symbol, unknown>;
    if (global[kActive] === this) delete global[kActive];
    this.patches.restore();
    this.modules.uninstall();
    for (const [name, listener] of this.subscriptions.splice(0)) diagnostics.unsubscribe(name, listener);
    await this.serving.close();
  }

  enabled(kind: Instrumentation): boolean {
    return this.config.instrumentations.has(kind);
  }

  options(kind: Instrumentation, rank: number): Record<PropertyKey, unknown> {
    const { file, shared, client } = this.config;
    const { http: _h, express: _e, fastify: _f, koa: _k, nestjs: _n, ml: _m, modelName: _mn, ...fromFile } = file;
    const own = file[kind] ?? {};
    // Labels add up: the environment's fixed ones, the file's shared, then its own for `kind`.
    const labels = { ...shared.labels, ...fromFile.labels, ...(own.labels as object | undefined) };
    return {
      ...(client === undefined ? {} : { client }),
      ...shared,
      ...fromFile,
      ...own,
      ...(Object.keys(labels).length === 0 ? {} : { labels }),
      path: kind === 'http' ? this.config.path : false,
      [YIELDS]: rank,
    };
  }

  mlOptions(): Record<string, unknown> {
    const { client, shared, ml, file } = this.config;
    return {
      ...(client === undefined ? {} : { client }),
      ...(shared.prefix === undefined ? {} : { prefix: shared.prefix }),
      ...(shared.maxLabelValues === undefined ? {} : { maxLabelValues: shared.maxLabelValues }),
      ...ml,
      ...(file.modelName === undefined ? {} : { modelName: file.modelName }),
      ...(file.ml ?? {}),
    };
  }

  adapter<T>(kind: Instrumentation, pkg: string): T | undefined {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return require(pkg) as T;
    } catch (error) {
      const notFound = (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && (error as Error).message.includes(`'${pkg}'`);
      report(notFound
        ? `${kind} is in use but ${pkg} is not installed next to @promwire/auto (npm install ${pkg}); its requests count as any HTTP server's`
        : `${kind} is not recorded by the preload: ${pkg} failed to load: ${reason(error)}`);
      return undefined;
    }
  }

  lazy<T>(kind: Instrumentation, build: () => T): () => T | undefined {
    let state: 'new' | 'built' | 'failed' = 'new';
    let value: T | undefined;
    return () => {
      if (state === 'built') return value;
      if (state === 'failed') return undefined;
      try {
        value = build();
        state = 'built';
        return value;
      } catch (error) {
        state = 'failed';
        report(`${kind} is not recorded by the preload: ${reason(error)}`);
        return undefined;
      }
    };
  }

  /** A module loaded: patch it when it is one the preload knows (each module object once). */
  private observe(loaded: unknown): void {
    if (loaded === null || (typeof loaded !== 'object' && typeof loaded !== 'function')) return;
    try {
      if (isExpress(loaded)) instrumentExpress(this, loaded);
      else if (isKoa(loaded)) instrumentKoa(this, loaded);
      else if (isNestCore(loaded)) instrumentNest(this, loaded);
      else if (isOnnxRuntime(loaded)) instrumentMl(this, 'onnx', loaded);
      else if (isTfjs(loaded)) instrumentMl(this, 'tfjs', loaded);
      else if (isCluster(loaded)) this.serving.onCluster(loaded);
    } catch (error) {
      report(`a module could not be instrumented: ${reason(error)}`);
    }
  }

  private subscribe(name: string, listener: (message: unknown) => void): void {
    diagnostics.subscribe(name, listener);
    this.subscriptions.push([name, listener]);
  }
}
