/**
 * A cluster of 2 workers under the preload: the workers never open the metrics port (no
 * second bind, no "in use" report), the app serves through both. The primary serving the
 * aggregate waits for core's clusterMetrics (issue 15): until it exists the primary says so,
 * once.
 */
import { request } from '../helpers/http';
import { runApp } from './preload';

jest.setTimeout(60000);

test('2 workers: neither opens the metrics port; the primary reports once that it cannot aggregate yet', async () => {
  const run = await runApp('cluster.cjs', '--require', {
    env: { PROMWIRE_PORT: '0' },
    ready: [/worker 1 listening on (http:\/\/127\.0\.0\.1:\d+)/, /worker 2 listening on/, /promwire: cluster primary/],
  });
  try {
    const url = /worker 1 listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(run.output())![1]!;
    for (let i = 0; i < 4; i++) expect((await request(`${url}/users/${i}`)).status).toBe(200);
    const lines = run.output().split('\n').filter((l) => l.startsWith('promwire:'));
    expect(lines).toEqual([
      'promwire: cluster primary: this @promwire/core has no clusterMetrics(), so the aggregate of the workers is not served; the workers do not open the metrics port',
    ]);
  } finally {
    await run.stop();
  }
});
