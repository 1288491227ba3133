/**
 * Requests answered before promwire's hooks run are still counted once, as `__unmatched__`:
 * URLs Fastify refuses before any hook (malformed percent-encoding: 400; a path parameter longer
 * than maxParamLength: 414), and requests an earlier `onRequest` hook answers. A long URL that
 * Fastify does route keeps its route template.
 */
import type { AddressInfo } from 'node:net';
import { eventually, request, scrape } from '../../../test/helpers/http';
import { Registry } from 'prom-client';
import { metrics } from '@promwire/fastify';
import { VERSIONS, appWith } from './fastify-versions';

describe.each(VERSIONS)('@promwire/fastify on %s: URLs refused before the hooks', (_name, fastify) => {
  test('are counted once, and routed long URLs keep their template', async () => {
    const { app } = await appWith(fastify);
    app.get('/users/:id', async () => 'user');
    app.get('/search', async () => 'results');
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const statuses = [];
    for (const path of ['/users/%E0%A4%A', '/users/%', `/users/${'a'.repeat(500)}`, `/search?q=${'b'.repeat(500)}`, '/users/1?x=%ZZ']) {
      statuses.push((await request(`${base}${path}`)).status);
    }
    // Fastify 5 refuses the over-long parameter with 414 before its hooks; Fastify 4 answers 404.
    expect(statuses).toEqual([400, 400, _name === 'fastify 5' ? 414 : 404, 200, 200]);
    await eventually(async () => (await scrape(base)).sum('http_requests_total') === 5);
    const exp = await scrape(base);
    expect(exp.value('http_requests_total', { route: '__unmatched__', status_code: '400' })).toBe(2);
    expect(exp.value('http_requests_total', { route: '__unmatched__', status_code: String(statuses[2]) })).toBe(1);
    expect(exp.value('http_requests_total', { route: '/search', status_code: '200' })).toBe(1);
    expect(exp.value('http_requests_total', { route: '/users/:id', status_code: '200' })).toBe(1);
    expect(exp.sum('http_requests_in_flight')).toBe(0);
    await app.close();
  });

  test('a request an onRequest hook added before the plugin answers is counted, as __unmatched__', async () => {
    const app = fastify();
    app.addHook('onRequest', async (request, reply) => {
      if (request.headers['x-block'] !== undefined) await reply.code(401).send('no');
    });
    const registry = new Registry();
    await app.register(metrics, { registry, defaultMetrics: false });
    app.get('/users/:id', async () => 'user');
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    expect((await request(`${base}/users/1`, { headers: { 'x-block': '1' } })).status).toBe(401);
    expect((await request(`${base}/users/2`)).status).toBe(200);
    await eventually(async () => (await scrape(base)).sum('http_requests_total') === 2);
    const exp = await scrape(base);
    expect(exp.value('http_requests_total', { route: '__unmatched__', status_code: '401' })).toBe(1);
    expect(exp.value('http_requests_total', { route: '/users/:id', status_code: '200' })).toBe(1);
    expect(exp.sum('http_requests_in_flight')).toBe(0);
    await app.close();
  });
});
