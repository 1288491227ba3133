/** The /metrics route the plugin registers: core's one handler, sent through Fastify's reply. */
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { Registry } from 'prom-client';
import { metrics } from '@promwire/fastify';
import { parseExposition } from '../../../test/helpers/exposition';
import { request } from '../../../test/helpers/http';
import { VERSIONS, appWith, routes, scrape } from './fastify-versions';

describe.each(VERSIONS)('@promwire/fastify on %s: the metrics endpoint', (_name, fastify) => {
  it('serves the Prometheus text format 0.0.4 by default, and is not itself recorded', async () => {
    const { app } = await appWith(fastify);
    app.get('/a', async () => 'a');
    await app.inject('/a');
    await app.inject('/metrics');
    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const m = parseExposition(res.body);
    expect(m.types.get('http_requests_total')).toBe('counter');
    expect(routes(m)).toEqual(['/a']);
  });

  it('answers other methods 405 from core, as every adapter does, without recording them', async () => {
    const { app } = await appWith(fastify);
    const res = await app.inject({ method: 'POST', url: '/metrics' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
    expect(routes(await scrape(app))).toEqual([]);
  });

  it('serves OpenMetrics 1.0.0 when the Accept header asks for it', async () => {
    const { app } = await appWith(fastify);
    app.get('/a', async () => 'a');
    await app.inject('/a');
    const res = await app.inject({ url: '/metrics', headers: { accept: 'application/openmetrics-text; version=1.0.0,text/plain;q=0.5' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    expect(res.body.endsWith('# EOF\n')).toBe(true);
    expect(parseExposition(res.body).value('http_requests_total', { route: '/a' })).toBe(1);
  });

  it('gzips the exposition for Accept-Encoding: gzip, exactly once', async () => {
    const { app } = await appWith(fastify);
    app.get('/a', async () => 'a');
    await app.inject('/a');
    const res = await app.inject({ url: '/metrics', headers: { 'accept-encoding': 'gzip' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(Number(res.headers['content-length'])).toBe(res.rawPayload.length);
    const text = gunzipSync(res.rawPayload).toString('utf8');
    expect(parseExposition(text).value('http_requests_total', { route: '/a' })).toBe(1);
  });

  it('answers HEAD on a real socket with the headers of GET and no body', async () => {
    const { app } = await appWith(fastify);
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const res = await request(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/metrics`, { method: 'HEAD' });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(res.body).toBe('');
    } finally {
      await app.close();
    }
  });

  it('answers 401 with WWW-Authenticate without the bearer token, and 200 with it', async () => {
    const { app } = await appWith(fastify, { auth: { bearer: 's3cret' } });
    app.get('/a', async () => 'a');
    await app.inject('/a');
    const denied = await app.inject('/metrics');
    expect(denied.statusCode).toBe(401);
    expect(denied.headers['www-authenticate']).toMatch(/^Bearer/);
    const wrong = await app.inject({ url: '/metrics', headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(401);
    const m = await scrape(app, '/metrics', { authorization: 'Bearer s3cret' });
    expect(routes(m)).toEqual(['/a']);
    expect(m.find('http_requests_total', { status_code: '401' })).toEqual([]);
  });

  it('checks basic credentials', async () => {
    const { app } = await appWith(fastify, { auth: { basic: { username: 'prom', password: 'pw' } } });
    const denied = await app.inject('/metrics');
    expect(denied.statusCode).toBe(401);
    expect(denied.headers['www-authenticate']).toMatch(/^Basic/);
    const ok = await app.inject({ url: '/metrics', headers: { authorization: `Basic ${Buffer.from('prom:pw').toString('base64')}` } });
    expect(ok.statusCode).toBe(200);
  });

  it('answers 500 with the message when a collector throws', async () => {
    const { app, registry } = await appWith(fastify);
    registry.registerMetric({
      name: 'broken_metric', help: 'throws', type: 'gauge', aggregator: 'sum',
      get: () => { throw new Error('collector exploded'); },
    } as unknown as Parameters<Registry['registerMetric']>[0]);
    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(500);
    expect(res.body).toContain('collector exploded');
  });

  it('serves at the path option, and /metrics is then an unmatched request', async () => {
    const { app } = await appWith(fastify, { path: '/internal/prometheus' });
    expect((await app.inject('/metrics')).statusCode).toBe(404);
    const m = await scrape(app, '/internal/prometheus');
    expect(m.value('http_requests_total', { route: '__unmatched__', status_code: '404' })).toBe(1);
    expect(routes(m)).toEqual(['__unmatched__']);
  });

  it('mounts nothing with path: false, and still records', async () => {
    const { app, registry } = await appWith(fastify, { path: false });
    app.get('/a', async () => 'a');
    expect((await app.inject('/metrics')).statusCode).toBe(404);
    await app.inject('/a');
    const m = parseExposition(await registry.metrics());
    expect(m.value('http_requests_total', { route: '/a' })).toBe(1);
    expect(m.value('http_requests_total', { route: '__unmatched__' })).toBe(1);
  });

  it('lets the application serve its own /metrics route with path: false', async () => {
    const registry = new Registry();
    const app = fastify();
    await app.register(metrics, { registry, defaultMetrics: false, path: false });
    app.get('/metrics', async () => 'mine');
    expect((await app.inject('/metrics')).body).toBe('mine');
  });
});
