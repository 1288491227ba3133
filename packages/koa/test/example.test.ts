/**
 * examples/koa serves the same shape of service as the other examples: the shared traffic plan
 * is recorded under the planned route templates and statuses.
 */
import { createServer } from 'node:http';
import type Koa from 'koa';
import { TRAFFIC } from '../../../test/integration/examples';
import { eventually, listen, request, scrape } from '../../../test/helpers/http';

const { createApp } = require('../../../examples/koa/server.js') as { createApp: () => Koa };

test('the Koa example records the shared traffic plan', async () => {
  const app = createApp();
  const errors: string[] = [];
  app.removeAllListeners('error');
  app.on('error', (error: Error) => void errors.push(error.message));
  const server = await listen(createServer(app.callback()));
  try {
    let total = 0;
    for (const planned of TRAFFIC) {
      for (let i = 1; i <= planned.count; i++) {
        const reply = await request(`${server.url}${planned.path.replace('{i}', String(i))}`, {
          method: planned.method,
          body: planned.body,
          headers: planned.body === undefined ? {} : { 'content-type': 'application/json' },
        });
        expect({ path: planned.path, status: reply.status }).toEqual({ path: planned.path, status: planned.status });
        total++;
      }
    }
    await eventually(async () => (await scrape(server.url)).sum('http_requests_total') === total);
    const exp = await scrape(server.url);
    for (const planned of TRAFFIC) {
      const labels = { method: planned.method, route: planned.route, status_code: String(planned.status) };
      expect({ ...labels, count: exp.value('http_requests_total', labels) }).toEqual({ ...labels, count: planned.count });
    }
    expect(errors).toEqual(TRAFFIC.filter((t) => t.status === 500).flatMap((t) => Array(t.count).fill('this route always fails')));
  } finally {
    await server.close();
  }
});
