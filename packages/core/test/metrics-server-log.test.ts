/**
 * `startMetricsServer`'s one start-up line: it names the address the server bound, says when
 * that is every interface, goes to a `log` function when given one, and nowhere with
 * `log: false`. Printed to stderr by default, except under `NODE_ENV=test`.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { startMetricsServer } from '@promwire/core';

test('a log function receives one line naming the bound address', async () => {
  const lines: string[] = [];
  const server = await startMetricsServer({ port: 0, host: '127.0.0.1', registry: new Registry(), log: (line) => lines.push(line) });
  try {
    expect(lines).toEqual([`@promwire/core: metrics on http://127.0.0.1:${server.port}/metrics`]);
  } finally {
    await server.close();
  }
});

test('a log function that throws does not fail the start', async () => {
  const server = await startMetricsServer({ port: 0, host: '127.0.0.1', registry: new Registry(), log: () => { throw new Error('logger down'); } });
  await server.close();
});

test('log must be false or a function', async () => {
  await expect(startMetricsServer({ port: 0, log: 'stderr' as never })).rejects.toThrow('@promwire/core: log must be false or a function, got "stderr"');
});

/** Runs a server in a child with NODE_ENV unset, as an app does, and returns its stderr. */
function childStderr(options: string): string {
  const core = join(__dirname, '..', 'dist', 'index.js');
  const script = `require(${JSON.stringify(core)}).startMetricsServer({ client: 'prom-client', ...${options} }).then((s) => s.close());`;
  const env = { ...process.env };
  delete env.NODE_ENV;
  const child = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8', timeout: 30000 });
  expect(child.status).toBe(0);
  return child.stderr;
}

test('by default the line goes to stderr, and says when every interface is bound', () => {
  expect(childStderr("{ port: 0, host: '127.0.0.1' }")).toMatch(/^@promwire\/core: metrics on http:\/\/127\.0\.0\.1:\d+\/metrics\n$/);
  expect(childStderr('{ port: 0 }')).toMatch(
    /^@promwire\/core: metrics on http:\/\/(\[::\]|0\.0\.0\.0):\d+\/metrics \(all interfaces; host: '127\.0\.0\.1' keeps them on this machine\)\n$/,
  );
});

test('log: false prints nothing', () => {
  expect(childStderr("{ port: 0, host: '127.0.0.1', log: false }")).toBe('');
});
