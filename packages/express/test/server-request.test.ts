/**
 * After its first request on a server, the middleware begins that server's requests at its
 * `request` event, before Express touches them, and only adopts them when they reach it. These
 * tests warm each server up with one request first, so that what follows runs on that path.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Express, NextFunction, Request, Response } from 'express';
import { Registry } from 'prom-client';
import { metrics } from '../src';
import { eventually, listen, request, requestAbortedWhen, scrape, type Listening } from '../../../test/helpers/http';

type ExpressModule = typeof import('express');

const versions: [string, ExpressModule][] = [
  ['express 5', require('express') as ExpressModule],
  ['express 4', require('express4') as ExpressModule],
];

describe.each(versions)('%s, requests begun at the server', (_, express) => {
  const open: Listening[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  async function serve(server: Server): Promise<string> {
    const listening = await listen(server);
    open.push(listening);
    return listening.url;
  }

  /** Starts `app`, sends one request to `/warm`, and checks the server now has promwire's listener first. */
  async function warm(app: Express): Promise<{ url: string; server: Server }> {
    const server = createServer(app);
    const url = await serve(server);
    await request(`${url}/warm`);
    // One listener, promwire's in front of the app (core's prependRequestListener).
    expect(server.listeners('request')).toEqual([app]);
    expect(server.rawListeners('request')).toHaveLength(1);
    expect(server.rawListeners('request')[0]).not.toBe(app);
    return { url, server };
  }

  test('routes, 404s, errors and getRoute-free templates are recorded as before', async () => {
    const app = express();
    app.use(metrics({ registry: new Registry(), defaultMetrics: false }));
    const r1 = express.Router();
    const r2 = express.Router();
    r2.get('/users/:id', (req, res) => void res.send('u'));
    r1.use('/v1', r2);
    app.use('/api', r1);
    app.get('/boom', () => {
      throw new Error('boom');
    });
    app.use((err: Error, req: Request, res: Response, next: NextFunction) => void (err ? res.status(503).send('down') : next()));
    const { url } = await warm(app);
    for (let i = 0; i < 3; i++) await request(`${url}/api/v1/users/${i}`);
    await request(`${url}/nowhere`);
    expect((await request(`${url}/boom`)).status).toBe(503);
    await eventually(async () => (await scrape(url)).sum('http_requests_total') === 6);
    const exp = await scrape(url);
    expect(exp.value('http_requests_total', { route: '/api/v1/users/:id', status_code: '200' })).toBe(3);
    expect(exp.value('http_requests_total', { route: '__unmatched__', status_code: '404' })).toBe(2);
    expect(exp.value('http_requests_total', { route: '/boom', status_code: '503' })).toBe(1);
    expect(exp.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
  });

  test('skip is asked with Express request properties; an abort is one 499', async () => {
    const app = express();
    app.use(metrics({ registry: new Registry(), defaultMetrics: false, skip: (req) => req.path === '/health' }));
    app.get('/health', (req, res) => void res.send('ok'));
    let arrived!: () => void;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    app.get('/slow', (req, res) => {
      res.once('close', () => res.end());
      arrived();
    });
    app.get('/x', (req, res) => void res.send('x'));
    const { url } = await warm(app);
    await request(`${url}/health`);
    await requestAbortedWhen(`${url}/slow`, reached);
    await request(`${url}/x`);
    await eventually(async () => (await scrape(url)).value('http_requests_total', { route: '/slow' }) === 1);
    const exp = await scrape(url);
    expect(exp.find('http_requests_total', { route: '/health' })).toEqual([]);
    expect(exp.value('http_requests_total', { route: '/slow', status_code: '499' })).toBe(1);
    expect(exp.value('http_requests_total', { route: '/x', status_code: '200' })).toBe(1);
    expect(exp.sum('http_requests_total')).toBe(3);
    expect(exp.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
  });

  test('a request answered before it reaches the middleware is not recorded', async () => {
    const app = express();
    app.get('/early', (req, res) => void res.send('early'));
    app.use(metrics({ registry: new Registry(), defaultMetrics: false }));
    app.get('/late', (req, res) => void res.send('late'));
    const { url } = await warm(app);
    await request(`${url}/early`);
    await request(`${url}/early`);
    await request(`${url}/late`);
    await eventually(async () => (await scrape(url)).value('http_requests_total', { route: '/late' }) === 1);
    const exp = await scrape(url);
    expect(exp.find('http_requests_total', { route: '/early' })).toEqual([]);
    expect(exp.sum('http_requests_total')).toBe(2); // /warm and /late
    expect(exp.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
  });

  test('a middleware that reaches it later (after an asynchronous one) still records each request once', async () => {
    const app = express();
    app.use((req, res, next) => void setImmediate(next));
    app.use(metrics({ registry: new Registry(), defaultMetrics: false }));
    app.get('/x', (req, res) => void res.send('x'));
    const { url } = await warm(app);
    await Promise.all([1, 2, 3, 4].map(() => request(`${url}/x`)));
    await eventually(async () => (await scrape(url)).value('http_requests_total', { route: '/x' }) === 4);
    const exp = await scrape(url);
    expect(exp.sum('http_requests_total')).toBe(5);
    expect(exp.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
  });

  test('two apps on one server: each request is recorded by the app that served it', async () => {
    const registryA = new Registry();
    const registryB = new Registry();
    const a = express();
    a.use(metrics({ registry: registryA, defaultMetrics: false }));
    a.get('/a/:id', (req, res) => void res.send('a'));
    const b = express();
    b.use(metrics({ registry: registryB, defaultMetrics: false, path: '/b-metrics' }));
    b.get('/b/:id', (req, res) => void res.send('b'));
    const server = createServer((req: IncomingMessage, res: ServerResponse) => (req.url!.startsWith('/b') ? b(req, res) : a(req, res)));
    const url = await serve(server);
    for (let i = 0; i < 3; i++) {
      await request(`${url}/a/${i}`);
      await request(`${url}/b/${i}`);
    }
    // Each app's promwire listens first: the first one in one function with the handler, the
    // second before that function.
    expect(server.rawListeners('request')).toHaveLength(2);
    await eventually(async () => (await scrape(url)).sum('http_requests_total') === 3);
    const expA = await scrape(url);
    const expB = await scrape(url, '/b-metrics');
    expect(expA.value('http_requests_total', { route: '/a/:id', status_code: '200' })).toBe(3);
    expect(expA.find('http_requests_total', { route: '/b/:id' })).toEqual([]);
    expect(expB.value('http_requests_total', { route: '/b/:id', status_code: '200' })).toBe(3);
    expect(expB.find('http_requests_total', { route: '/a/:id' })).toEqual([]);
    expect(expA.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
    expect(expB.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
  });

  test('a sub-app mounted under a prefix keeps serving its metrics path, which is never recorded', async () => {
    const registry = new Registry();
    const sub = express();
    sub.use(metrics({ registry, defaultMetrics: false }));
    sub.get('/items/:id', (req, res) => void res.send('i'));
    const app = express();
    app.use('/admin', sub);
    const server = createServer(app);
    const url = await serve(server);
    // The first recorded request puts the listener on the server; every scrape after it too.
    for (let i = 0; i < 3; i++) {
      expect((await request(`${url}/admin/items/${i}`)).status).toBe(200);
      expect((await request(`${url}/admin/metrics`)).status).toBe(200);
    }
    expect(server.rawListeners('request')[0]).not.toBe(app);
    await eventually(async () => (await scrape(url, '/admin/metrics')).value('http_requests_total', { route: '/admin/items/:id' }) === 3);
    const exp = await scrape(url, '/admin/metrics');
    expect(exp.sum('http_requests_total')).toBe(3);
    expect(exp.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
  });

  test('a sub-app with its own middleware: the request is recorded once, by the outer one', async () => {
    const outer = new Registry();
    const inner = new Registry();
    const sub = express();
    sub.use(metrics({ registry: inner, defaultMetrics: false, path: false }));
    sub.get('/items/:id', (req, res) => void res.send('i'));
    const app = express();
    app.use(metrics({ registry: outer, defaultMetrics: false }));
    app.use('/sub', sub);
    const { url } = await warm(app);
    for (let i = 0; i < 3; i++) await request(`${url}/sub/items/${i}`);
    await eventually(async () => (await scrape(url)).value('http_requests_total', { route: '/sub/items/:id' }) === 3);
    expect((await scrape(url)).sum('http_requests_total')).toBe(4);
    expect(await inner.metrics()).not.toMatch(/^http_requests_total\{/m);
  });
});
