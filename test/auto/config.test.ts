/**
 * Configuration by environment, on a real app under the preload: a bad variable is one stderr
 * line naming it, promwire stays off (no metrics port) and the app answers as without it; a
 * metrics port in use is reported once and the app keeps running; PROMWIRE_DISABLED; the
 * config file's callbacks; bearer auth from a file; string options (prefix, naming, exclude,
 * fixed labels); a process that never listens never takes the port.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from '../helpers/http';
import { ROOT } from '../helpers/processes';
import { APPS, LISTENING, runApp, scrapeUntil } from './preload';

jest.setTimeout(120000);

/** Runs the Express app with `env` and expects it to answer normally with promwire off. */
async function expectOff(env: NodeJS.ProcessEnv): Promise<string> {
  const run = await runApp('express.cjs', '--require', { env, ready: [LISTENING] });
  try {
    expect((await request(`${run.appUrl}/users/1`)).body).toBe('{"id":"1"}');
    expect((await request(`${run.appUrl}/nope`)).status).toBe(404);
    return run.output();
  } finally {
    await run.stop();
  }
}

test.concurrent.each([
  ['PROMWIRE_PORT', 'abc', 'PROMWIRE_PORT must be an integer 0–65535, got "abc"'],
  ['PROMWIRE_PREFIX', 'my-app', 'PROMWIRE_PREFIX must be the start of a metric name'],
  ['PROMWIRE_GROUP_STATUS_CODES', 'maybe', 'PROMWIRE_GROUP_STATUS_CODES must be true or false, got "maybe"'],
  ['PROMWIRE_DURATION_BUCKETS', '0.1,0.05', 'PROMWIRE_DURATION_BUCKETS must be increasing positive numbers'],
  ['PROMWIRE_NAMING', 'camel', 'PROMWIRE_NAMING must be default or otel, got "camel"'],
  ['PROMWIRE_AUTH_BEARER_FILE', '/nonexistent/token', 'PROMWIRE_AUTH_BEARER_FILE names a file that cannot be read: ENOENT'],
  ['PROMWIRE_CONFIG', './no-such.config.js', 'PROMWIRE_CONFIG names a config that cannot be used: no such file'],
])('a bad %s (%s): one line naming it, promwire off, the app unaffected', async (variable, value, message) => {
  const output = await expectOff({ [variable]: value });
  const lines = output.split('\n').filter((l) => l.startsWith('promwire:'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(message);
  expect(lines[0]).toContain('promwire is off, the app runs without it');
});

test('PROMWIRE_DISABLED=true: nothing at all', async () => {
  const output = await expectOff({ PROMWIRE_DISABLED: 'true' });
  expect(output).not.toContain('promwire');
});

describe('a metrics port in use', () => {
  let taken: Server;
  let port: number;
  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    port = (taken.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

  test('is reported once on stderr; the app keeps running and answering', async () => {
    const run = await runApp('express.cjs', '--require', {
      env: { PROMWIRE_PORT: String(port) },
      ready: [LISTENING, /promwire: cannot serve metrics/],
    });
    try {
      for (let i = 0; i < 3; i++) expect((await request(`${run.appUrl}/users/${i}`)).status).toBe(200);
      const lines = run.output().split('\n').filter((l) => l.startsWith('promwire:'));
      expect(lines).toEqual([
        `promwire: cannot serve metrics on 127.0.0.1:${port} (PROMWIRE_HOST, PROMWIRE_PORT): the address is in use; the app runs on without the metrics endpoint`,
      ]);
      expect(run.child.exitCode).toBeNull();
    } finally {
      await run.stop();
    }
  });
});

test('string options and the config file: prefix, exclude, no default metrics, fixed and callback labels, skip', async () => {
  const run = await runApp('express.cjs', '--import', {
    env: {
      PROMWIRE_PREFIX: 'shop_',
      PROMWIRE_EXCLUDE: '/boom,/^\\/nope/',
      PROMWIRE_LABELS: 'service=checkout',
      PROMWIRE_CONFIG: join(APPS, 'promwire.config.cjs'),
      PROMWIRE_DEFAULT_METRICS: 'false',
    },
  });
  try {
    await request(`${run.appUrl}/users/1`, { headers: { 'x-tenant': 'acme' } });
    await request(`${run.appUrl}/users/skip-me`);
    await request(`${run.appUrl}/boom`);
    await request(`${run.appUrl}/nope`);
    const exp = await scrapeUntil(run, (e) => e.sum('shop_http_requests_total') >= 1);
    expect(exp.find('shop_http_requests_total').map((s) => s.labels)).toEqual([
      { method: 'GET', route: '/users/:id', status_code: '200', service: 'checkout', tenant: 'acme' },
    ]);
    expect(exp.find('process_cpu_user_seconds_total')).toEqual([]);
  } finally {
    await run.stop();
  }
});

test('bearer auth from a file protects the metrics port', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'promwire-auto-token-'));
  writeFileSync(join(dir, 'token'), 's3cret\n');
  const run = await runApp('http.cjs', '--require', { env: { PROMWIRE_AUTH_BEARER_FILE: join(dir, 'token') } });
  try {
    expect((await request(run.metricsUrl)).status).toBe(401);
    expect((await request(run.metricsUrl, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
  } finally {
    await run.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a process that never listens (npm, a build tool under the same NODE_OPTIONS) never opens the port', () => {
  const result = spawnSync(process.execPath, ['--require', '@promwire/auto/register', '-e', 'require("express"); console.log("done")'], {
    cwd: ROOT,
    env: { ...process.env, PROMWIRE_PORT: '0', PROMWIRE_HOST: '127.0.0.1' },
    encoding: 'utf8',
  });
  expect(result.status).toBe(0);
  expect(`${result.stdout}${result.stderr}`).not.toContain('promwire');
});
