/** The Koa versions and routers every suite runs over, and a server started per test. */
import { createServer } from 'node:http';
import type Koa from 'koa';
import { Registry } from 'prom-client';
import { metrics, type KoaMetricsOptions } from '../src';
import { listen, type Listening } from '../../../test/helpers/http';

export type KoaClass = typeof Koa;

export const KOA_VERSIONS: [string, KoaClass][] = [
  ['Koa 3', require('koa') as KoaClass],
  ['Koa 2', require('koa2') as KoaClass],
];

/** The part of the router API the suites use; all three routers share it. */
export interface TestRouter {
  get(path: string | RegExp, ...middleware: Koa.Middleware[]): TestRouter;
  post(path: string | RegExp, ...middleware: Koa.Middleware[]): TestRouter;
  use(...args: (string | Koa.Middleware)[]): TestRouter;
  routes(): Koa.Middleware;
  allowedMethods(): Koa.Middleware;
}

export interface RouterFlavour {
  Router: new (options?: { prefix?: string }) => TestRouter;
  /** A path matching every request, in the router's path-to-regexp syntax. */
  catchAll: string;
}

export const ROUTERS: [string, RouterFlavour][] = [
  ['@koa/router 15', { Router: (require('@koa/router') as { Router: RouterFlavour['Router'] }).Router, catchAll: '/{*rest}' }],
  ['@koa/router 12', { Router: require('@koa/router12') as RouterFlavour['Router'], catchAll: '(.*)' }],
  ['koa-router 14', { Router: require('koa-router') as RouterFlavour['Router'], catchAll: '/{*rest}' }],
];

/** A Koa app with metrics() mounted first on a fresh registry, listening on 127.0.0.1:0. */
export class TestServer {
  readonly registry = new Registry();
  readonly app: Koa;
  readonly errors: unknown[] = [];
  private listening: Listening | undefined;

  /** `upstream` middleware is mounted before metrics(), everything else after. */
  constructor(KoaVersion: KoaClass, options: KoaMetricsOptions = {}, upstream: Koa.Middleware[] = []) {
    this.app = new KoaVersion();
    this.app.on('error', (error: unknown) => void this.errors.push(error));
    for (const middleware of upstream) this.app.use(middleware);
    this.app.use(metrics({ registry: this.registry, defaultMetrics: false, ...options }));
  }

  async start(): Promise<string> {
    this.listening = await listen(createServer(this.app.callback()));
    return this.listening.url;
  }

  async close(): Promise<void> {
    await this.listening?.close();
  }
}
