/**
 * A cluster of 2 workers under the preload: the primary opens the metrics port when it forks
 * and serves the combined metrics of both workers (core's clusterMetrics); the workers never
 * open it (one start-up line, no "in use" report). Requests spread over the workers are each
 * counted once in the aggregate, with their route template, in flight 0.
 */
import { request } from '../helpers/http';
import { runApp, METRICS, scrapeUntil } from './preload';

jest.setTimeout(120000);

test('2 workers: the primary serves their aggregate, the workers bind nothing, every request once', async () => {
  const run = await runApp('cluster.cjs', '--require', {
    ready: [/worker 1 listening on/, /worker 2 listening on/, METRICS],
  });
  try {
    run.metricsUrl = METRICS.exec(run.output())![1]!;
    const url = /worker \d listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(run.output())![1]!;
    const workers = new Set<number>();
    for (let i = 0; i < 8; i++) {
      const reply = await request(`${url}/users/${i}`);
      expect(reply.status).toBe(200);
      workers.add((JSON.parse(reply.body) as { worker: number }).worker);
    }
    const exp = await scrapeUntil(run, (e) => e.sum('http_requests_total') >= 8);
    expect(exp.sum('http_requests_total', { method: 'GET', route: '/users/:id', status_code: '200' })).toBe(8);
    expect(exp.sum('http_requests_total')).toBe(8);
    expect(exp.sum('http_requests_in_flight')).toBe(0);
    const lines = run.output().split('\n').filter((l) => l.startsWith('promwire:'));
    expect(lines).toEqual([expect.stringMatching(/^promwire: metrics on http:\/\/127\.0\.0\.1:\d+\/metrics \(every worker of this cluster\)$/)]);
    expect(workers.size).toBeGreaterThanOrEqual(1);
  } finally {
    await run.stop();
  }
});
