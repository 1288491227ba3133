/**
 * pushMetrics when the gateway is down, failing, slow or strict, against stand-ins on loopback
 * (a port nobody listens on, small HTTP servers scripted per test), and the pushes it makes by
 * itself: at exit (in a real child process) and on an interval.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Counter, Registry } from 'prom-client';
import { PushgatewayError, pushMetrics } from '@promwire/core';
import { freePort, ROOT } from '../helpers/processes';
import { listen, type Listening } from '../helpers/http';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** A loopback server answering each request with the next of `answers` (the last one repeats). */
async function standIn(answers: ((res: ServerResponse) => void)[]): Promise<Listening & { seen: Seen[]; next(count: number): Promise<void> }> {
  const seen: Seen[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
      for (const w of waiters.filter((w) => seen.length >= w.count)) w.resolve();
      answers[Math.min(seen.length - 1, answers.length - 1)]!(res);
    });
  });
  const listening = await listen(server);
  return {
    ...listening,
    seen,
    next: (count) => new Promise<void>((resolve) => (seen.length >= count ? resolve() : waiters.push({ count, resolve }))),
  };
}

const ok = (res: ServerResponse): void => void res.writeHead(200).end();
const status = (code: number, body: string, headers: Record<string, string> = {}) => (res: ServerResponse): void =>
  void res.writeHead(code, { 'content-type': 'text/plain', ...headers }).end(body);

function registry(): Registry {
  const r = new Registry();
  new Counter({ name: 'jobs_total', help: 'Jobs.', registers: [r] }).inc(2);
  return r;
}

it('a gateway that is down is retried, then reported with the network error', async () => {
  const port = await freePort(); // nothing listens there
  const error = await pushMetrics({ url: `http://127.0.0.1:${port}`, jobName: 'down', registry: registry(), retries: 2, retryDelayMs: 5 })
    .push().catch((e: unknown) => e) as PushgatewayError;
  expect(error).toBeInstanceOf(PushgatewayError);
  expect(error.status).toBeUndefined();
  expect(error.attempts).toBe(3);
  expect(error.message).toMatch(new RegExp(`^@promwire/core: PUT http://127\\.0\\.0\\.1:${port}/metrics/job/down failed \\(3 attempts\\): no answer from the Pushgateway: .*ECONNREFUSED`));
  console.log(`gateway down: ${error.message}`);
});

it('500 then 200: retried once, the same body sent again, and the push succeeds', async () => {
  const server = await standIn([status(500, 'storage busy'), ok]);
  try {
    await pushMetrics({ url: server.url, jobName: 'flaky', registry: registry(), retryDelayMs: 5 }).push();
    expect(server.seen.map((s) => s.method)).toEqual(['PUT', 'PUT']);
    expect(server.seen[1]!.body.equals(server.seen[0]!.body)).toBe(true);
    expect(server.seen[0]!.body.toString()).toContain('jobs_total 2');
  } finally {
    await server.close();
  }
});

it('5xx every time: every retry is made, then the last status and body are reported', async () => {
  const server = await standIn([status(503, 'overloaded\n', { 'retry-after': '0' })]);
  try {
    const error = await pushMetrics({ url: server.url, jobName: 'busy', registry: registry(), retries: 3, retryDelayMs: 5 })
      .pushAdd().catch((e: unknown) => e) as PushgatewayError;
    expect([error.status, error.body, error.attempts, error.method]).toEqual([503, 'overloaded\n', 4, 'POST']);
    expect(server.seen).toHaveLength(4);
    expect(error.message).toBe(`@promwire/core: POST ${server.url}/metrics/job/busy failed (4 attempts): the Pushgateway answered 503: overloaded`);
  } finally {
    await server.close();
  }
});

it('4xx is final: no retry', async () => {
  const server = await standIn([status(404, 'no such route')]);
  try {
    const error = await pushMetrics({ url: server.url, jobName: 'strict', registry: registry(), retryDelayMs: 5 })
      .delete().catch((e: unknown) => e) as PushgatewayError;
    expect([error.status, error.attempts, server.seen.length]).toEqual([404, 1, 1]);
  } finally {
    await server.close();
  }
});

it('an attempt that gets no answer in timeoutMs is abandoned and retried', async () => {
  const server = await standIn([() => undefined]); // never answers
  try {
    const error = await pushMetrics({ url: server.url, jobName: 'slow', registry: registry(), timeoutMs: 100, retries: 1, retryDelayMs: 5 })
      .push().catch((e: unknown) => e) as PushgatewayError;
    expect(error.attempts).toBe(2);
    expect(error.message).toContain('no answer within 100 ms');
    expect(server.seen).toHaveLength(2);
  } finally {
    await server.close();
  }
});

it('an abort signal ends the push and its retries', async () => {
  const server = await standIn([status(500, 'down')]);
  try {
    const controller = new AbortController();
    const pushing = pushMetrics({ url: server.url, jobName: 'aborted', registry: registry(), retries: 50, retryDelayMs: 60000 })
      .push({ signal: controller.signal });
    await server.next(1);
    controller.abort(new Error('shutting down'));
    const error = await pushing.catch((e: unknown) => e) as PushgatewayError;
    // Aborted in the first attempt or in the backoff after its 500, whichever the abort met.
    expect([undefined, 500]).toContain(error.status);
    expect(error.attempts).toBe(1);
    expect((error.cause as Error).message).toBe('shutting down');
  } finally {
    await server.close();
  }
});

it('sends the credentials, headers, content types and grouping path the options say', async () => {
  const server = await standIn([ok]);
  try {
    const port = new URL(server.url).port;
    const groupings = { instance: 'db-1', path: '/var/tmp', empty: '', 'zone': 'eu west' };
    await pushMetrics({ url: `${server.url}/prefix/`, jobName: 'a/b', groupings, registry: registry(), auth: { bearer: 's3cret' }, headers: { 'X-Scope-OrgID': 'tenant-1' } }).push();
    await pushMetrics({ url: `http://us%3Aer:p%40ss@127.0.0.1:${port}`, jobName: 'creds', registry: registry(), format: 'protobuf', gzip: true }).push();
    await pushMetrics({ url: server.url, jobName: 'basic', registry: registry(), auth: { basic: { username: 'u', password: 'p' } } }).delete();
    const [bearer, creds, basic] = server.seen;
    expect(bearer!.url).toBe('/prefix/metrics/job@base64/YS9i/instance/db-1/path@base64/L3Zhci90bXA/empty@base64/=/zone/eu%20west');
    expect(bearer!.headers.authorization).toBe('Bearer s3cret');
    expect(bearer!.headers['x-scope-orgid']).toBe('tenant-1');
    expect(bearer!.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(bearer!.headers['content-encoding']).toBeUndefined();
    expect(creds!.headers.authorization).toBe(`Basic ${Buffer.from('us:er:p@ss').toString('base64')}`);
    expect(creds!.headers['content-type']).toBe('application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited');
    expect(creds!.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(creds!.body).includes('jobs_total')).toBe(true);
    expect([basic!.method, basic!.url, basic!.headers.authorization, basic!.body.length]).toEqual(['DELETE', '/metrics/job/basic', `Basic ${Buffer.from('u:p').toString('base64')}`, 0]);
  } finally {
    await server.close();
  }
});

it('pushEvery pushes on its interval until stopped; failures go to onError', async () => {
  const server = await standIn([ok, status(500, 'oops'), ok]);
  const errors: PushgatewayError[] = [];
  try {
    const schedule = pushMetrics({ url: server.url, jobName: 'every', registry: registry(), retries: 0, onError: (e) => errors.push(e) })
      .pushEvery(10);
    await server.next(4);
    await schedule.stop();
    const stoppedAt = server.seen.length;
    expect(errors.map((e) => e.status)).toEqual([500]);
    // One more push of our own reaches the server: nothing else was sent after stop().
    await pushMetrics({ url: server.url, jobName: 'after', registry: registry() }).push();
    expect(server.seen.slice(stoppedAt).map((s) => s.url)).toEqual(['/metrics/job/after']);
  } finally {
    await server.close();
  }
});

/** Runs the exit fixture in `mode`; resolves with how it ended, what it printed and what the stand-in saw. */
async function exitRun(mode: string, kill?: NodeJS.Signals) {
  const server = await standIn([ok]);
  try {
    const child = spawn(process.execPath, [join(__dirname, 'fixtures/exit-push.cjs')], {
      cwd: ROOT, env: { ...process.env, PUSH_URL: server.url, MODE: mode }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const ready = new Promise<void>((resolve) => child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
      if (output.includes('ready')) resolve();
    }));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    await ready;
    if (kill) child.kill(kill);
    return { ...(await ended), output, seen: server.seen.map((s) => `${s.method} ${s.url} ${s.body.toString().includes('exit_jobs_total 4')}`) };
  } finally {
    await server.close();
  }
}

describe('pushAtExit, in a real process', () => {
  it('pushes on beforeExit and keeps the exit code the app set', async () => {
    expect(await exitRun('before-exit')).toMatchObject({ code: 3, signal: null, seen: ['PUT /metrics/job/exit true'] });
  });

  it('SIGTERM with no listener of the app: pushes, then the process dies of the signal as it would have', async () => {
    expect(await exitRun('sigterm', 'SIGTERM')).toMatchObject({ code: null, signal: 'SIGTERM', seen: ['PUT /metrics/job/exit true'] });
  });

  it('SIGTERM that the app handles: pushes, and the app ends the process its way', async () => {
    const run = await exitRun('sigterm-app', 'SIGTERM');
    expect(run).toMatchObject({ code: 0, signal: null, seen: ['PUT /metrics/job/exit true'] });
    expect(run.output).toContain('app saw SIGTERM');
  });

  it('pushEvery alone does not keep a process alive', async () => {
    expect(await exitRun('interval')).toMatchObject({ code: 0, signal: null });
  });
});
