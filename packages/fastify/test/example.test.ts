/**
 * examples/fastify serves the same shape of service as the other examples: the shared traffic
 * plan is recorded under the planned route templates and statuses.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { TRAFFIC } from '../../../test/integration/examples';
import { eventually, request, scrape } from '../../../test/helpers/http';

const { createApp } = require('../../../examples/fastify/server.js') as { createApp: () => Promise<FastifyInstance> };

test('the Fastify example records the shared traffic plan', async () => {
  const app = await createApp();
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  try {
    let total = 0;
    for (const planned of TRAFFIC) {
      for (let i = 1; i <= planned.count; i++) {
        const reply = await request(`${base}${planned.path.replace('{i}', String(i))}`, {
          method: planned.method,
          body: planned.body,
          headers: planned.body === undefined ? {} : { 'content-type': 'application/json' },
        });
        expect({ path: planned.path, status: reply.status }).toEqual({ path: planned.path, status: planned.status });
        total++;
      }
    }
    await eventually(async () => (await scrape(base)).sum('http_requests_total') === total);
    const exp = await scrape(base);
    for (const planned of TRAFFIC) {
      const labels = { method: planned.method, route: planned.route, status_code: String(planned.status) };
      expect({ ...labels, count: exp.value('http_requests_total', labels) }).toEqual({ ...labels, count: planned.count });
    }
    expect(exp.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
  } finally {
    await app.close();
  }
});
