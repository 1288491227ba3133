/**
 * One scenario app per adapter, all with the same routes, on a real loopback socket, so every
 * reliability scenario runs unchanged against every adapter:
 *   GET  /users/:id   200, body "user <id>"
 *   GET  /stream      200, a chunk every 20 ms until the client goes away
 *   GET  /throw       handler throws synchronously (500)
 *   GET  /reject      handler rejects after 5 ms (500)
 *   GET  /hang        never answers (the client gives up)
 *   POST /echo        200, echoes the request body
 * NestJS runs on both of its platforms, Express and Fastify.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable, pipeline } from 'node:stream';
import express from 'express';
import Koa from 'koa';
import Router from '@koa/router';
import Fastify from 'fastify';
import type { Registry } from 'prom-client';
import { metrics as expressMetrics } from '@promwire/express';
import { metrics as koaMetrics } from '@promwire/koa';
import { metrics as fastifyMetrics } from '@promwire/fastify';
import { listen, type Listening } from '../helpers/http';

export interface AdapterOptions {
  registry: Registry;
  labels?: Record<string, unknown>;
  skip?: unknown;
  getRoute?: unknown;
  auth?: unknown;
  maxLabelValues?: number;
}

export interface Adapter {
  name: string;
  /** Starts the scenario app; `options` go to the adapter unchanged (callbacks included). */
  start(options: AdapterOptions | undefined): Promise<Listening>;
}

const USER = (id: string) => `user ${id}`;

/** Never ends: the response is piped until the client goes away, which stops the reads. */
function slowStream(): Readable {
  let sent = 0;
  return new Readable({
    read() {
      sent++;
      setTimeout(() => this.push(`chunk ${sent}\n`), 20);
    },
  });
}

async function expressApp(options: AdapterOptions | undefined): Promise<Listening> {
  const app = express();
  if (options !== undefined) app.use(expressMetrics({ defaultMetrics: false, ...(options as object) }));
  app.get('/users/:id', (req, res) => void res.send(USER(req.params.id)));
  // pipeline, not pipe: the endless stream is destroyed when the client goes away, as Koa and
  // Fastify do, instead of filling its buffer (and the heap the soak measures) for half a minute.
  app.get('/stream', (req, res) => pipeline(slowStream(), res, () => undefined));
  app.get('/throw', () => {
    throw new Error('sync failure');
  });
  app.get('/reject', async () => {
    await new Promise((r) => setTimeout(r, 5));
    throw new Error('async failure');
  });
  app.get('/hang', () => undefined);
  app.post('/echo', (req, res) => void req.pipe(res));
  app.use((err: Error, req: IncomingMessage, res: ServerResponse, _next: unknown) => {
    res.statusCode = 500;
    res.end('error');
  });
  return listen(createServer(app));
}

async function koaApp(options: AdapterOptions | undefined): Promise<Listening> {
  const app = new Koa();
  app.silent = true;
  if (options !== undefined) app.use(koaMetrics({ defaultMetrics: false, ...(options as object) }));
  const router = new Router();
  router.get('/users/:id', (ctx) => void (ctx.body = USER(ctx.params.id!)));
  router.get('/stream', (ctx) => void (ctx.body = slowStream()));
  router.get('/throw', () => {
    throw new Error('sync failure');
  });
  router.get('/reject', async () => {
    await new Promise((r) => setTimeout(r, 5));
    throw new Error('async failure');
  });
  router.get('/hang', () => new Promise(() => undefined));
  router.post('/echo', (ctx) => void (ctx.body = ctx.req));
  app.use(router.routes());
  return listen(createServer(app.callback()));
}

async function fastifyApp(options: AdapterOptions | undefined): Promise<Listening> {
  let server: Server | undefined;
  const app = Fastify({ serverFactory: (handler) => (server = createServer(handler)) });
  if (options !== undefined) await app.register(fastifyMetrics, { defaultMetrics: false, ...(options as object) });
  app.get<{ Params: { id: string } }>('/users/:id', async (req) => USER(req.params.id));
  app.get('/stream', (req, reply) => void reply.send(slowStream()));
  app.get('/throw', () => {
    throw new Error('sync failure');
  });
  app.get('/reject', async () => {
    await new Promise((r) => setTimeout(r, 5));
    throw new Error('async failure');
  });
  app.get('/hang', () => new Promise(() => undefined));
  app.addContentTypeParser('*', (req, payload, done) => done(null, payload));
  app.post('/echo', (req, reply) => void reply.send(req.body));
  await app.ready();
  const listening = await listen(server!);
  return { url: listening.url, close: async () => { await listening.close(); await app.close(); } };
}

/**
 * The NestJS apps are built in packages/nestjs/test/reliability-app.ts, whose controllers need
 * that package's decorator tsconfig. NestJS 11+ is ES modules only, which this file's CommonJS
 * type-check cannot import, so the module is required when an app starts (jest compiles it).
 */
interface NestApps {
  startNestApp(platform: 'express' | 'fastify', slow: () => Readable, options: AdapterOptions | undefined): Promise<Listening>;
}

function nestApp(platform: 'express' | 'fastify'): Adapter['start'] {
  return (options) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const apps = require('../../packages/nestjs/test/reliability-app') as NestApps;
    return apps.startNestApp(platform, slowStream, options);
  };
}

export const ADAPTERS: Adapter[] = [
  { name: 'express', start: expressApp },
  { name: 'koa', start: koaApp },
  { name: 'fastify', start: fastifyApp },
  { name: 'nestjs-express', start: nestApp('express') },
  { name: 'nestjs-fastify', start: nestApp('fastify') },
];
