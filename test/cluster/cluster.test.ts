/**
 * clusterMetrics() in a real `cluster` of 4 Express workers sharing one port
 * (fixtures/cluster-app.cjs, on the packages' built dist): the primary's one scrape target sums
 * every worker's requests; a worker that stops answering is counted as a timeout and the scrape
 * still answers; a worker killed and replaced takes nothing back from the sums; and the cost of
 * one combined scrape at 1,000 series per worker. Every wait is for an event (a line the
 * fixture prints, a child's exit); timeouts are guards only.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { Agent, request } from 'node:http';
import { freePort, ROOT } from '../helpers/processes';
import { request as get } from '../helpers/http';
import { parseExposition, type Exposition } from '../helpers/exposition';

const WORKERS = 4;
const WORKER_TIMEOUT_MS = 1500;

interface Fixture {
  child: ChildProcessWithoutNullStreams;
  metricsUrl: string;
  appUrl: string;
  /** Resolves with the first match of `pattern` printed after `from` (an offset into the output). */
  waitFor(pattern: RegExp, from?: number): Promise<RegExpExecArray>;
  output(): string;
  command(line: string): void;
}

let fixture: Fixture;

async function start(): Promise<Fixture> {
  const appPort = await freePort();
  const child = spawn(process.execPath, ['--expose-gc', join(__dirname, 'fixtures/cluster-app.cjs')], {
    cwd: ROOT,
    env: { ...process.env, APP_PORT: String(appPort), WORKERS: String(WORKERS), WORKER_TIMEOUT_MS: String(WORKER_TIMEOUT_MS), RESTART: '1' },
  });
  let output = '';
  const waiters: (() => void)[] = [];
  const onData = (chunk: Buffer): void => {
    output += chunk.toString();
    for (const w of [...waiters]) w();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const waitFor = (pattern: RegExp, from = 0) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = (): void => {
        const match = new RegExp(pattern.source, pattern.flags).exec(output.slice(from));
        if (match === null) return;
        waiters.splice(waiters.indexOf(check), 1);
        clearTimeout(guard);
        resolve(match);
      };
      const guard = setTimeout(() => reject(new Error(`no ${pattern} in time; the cluster printed:\n${output}`)), 60000);
      waiters.push(check);
      check();
    });
  let metricsUrl: string | undefined;
  try {
    [, metricsUrl] = await waitFor(/metrics on (\S+)/);
    for (let id = 1; id <= WORKERS; id++) await waitFor(new RegExp(`worker ${id} pid \\d+ listening`));
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    child, metricsUrl: metricsUrl!, appUrl: `http://127.0.0.1:${appPort}`, waitFor, output: () => output,
    command: (line) => child.stdin.write(`${line}\n`),
  };
}

beforeAll(async () => {
  fixture = await start();
}, 90000);

afterAll(async () => {
  if (fixture === undefined || fixture.child.exitCode !== null) return;
  const exited = new Promise((resolve) => fixture.child.once('exit', resolve));
  fixture.child.kill('SIGTERM'); // the primary; its workers leave with its IPC channel
  await exited;
});

/** Sends `count` GETs to `path`, `concurrency` at a time, over kept-alive connections; resolves with the statuses seen. */
async function load(path: (i: number) => string, count: number, concurrency = 8): Promise<Map<number, number>> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const statuses = new Map<number, number>();
  let next = 0;
  const one = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const req = request(`${fixture.appUrl}${path(i)}`, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          statuses.set(res.statusCode!, (statuses.get(res.statusCode!) ?? 0) + 1);
          resolve();
        });
      });
      req.setTimeout(10000, () => req.destroy(new Error('request timed out')));
      req.on('error', reject);
      req.end();
    });
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await one(next++);
  }));
  agent.destroy();
  return statuses;
}

async function scrape(): Promise<Exposition> {
  const reply = await get(fixture.metricsUrl, { headers: { 'accept-encoding': 'gzip' } });
  if (reply.status !== 200) throw new Error(`the primary answered ${reply.status}: ${reply.body}`);
  return parseExposition(reply.body);
}

const requestsTotal = (e: Exposition) => e.sum('http_requests_total');
const timeouts = (e: Exposition) => e.value('promwire_cluster_worker_timeouts_total');

let sent = 0;

it('sum(http_requests_total) from the primary equals the requests sent to the 4 workers', async () => {
  const ok = await load((i) => `/hello/${i % 50}`, 400);
  const failed = await load(() => '/fail', 40);
  sent = 440;
  expect([ok.get(200), failed.get(500)]).toEqual([400, 40]);
  const e = await scrape();
  expect(requestsTotal(e)).toBe(sent);
  expect(e.value('http_requests_total', { route: '/hello/:name', status_code: '200' })).toBe(400);
  expect(e.value('http_request_duration_seconds_count', { route: '/fail', status_code: '500' })).toBe(40);
  expect(e.value('http_requests_in_flight', { method: 'GET' })).toBe(0);
  expect(e.value('promwire_cluster_workers', { state: 'answered' })).toBe(WORKERS);
  expect(timeouts(e)).toBe(0);
  // The primary's own process metrics, under their own label, beside the workers' sum.
  expect(e.find('process_cpu_user_seconds_total', { worker: 'primary' })).toHaveLength(1);
  expect(e.find('process_cpu_user_seconds_total').filter((s) => s.labels.worker === undefined)).toHaveLength(1);
  console.log(`cluster of ${WORKERS}: ${sent} requests sent, sum(http_requests_total) scraped from the primary = ${requestsTotal(e)}`);
}, 120000);

it('a worker that stops answering is counted as a timeout; the scrape answers with the rest and no sum goes back', async () => {
  const pids = [...fixture.output().matchAll(/worker (\d+) pid (\d+) listening/g)].map((m) => Number(m[2]));
  const victim = pids[0]!;
  process.kill(victim, 'SIGSTOP'); // hung: connected, but never answers
  try {
    const started = Date.now();
    const e = await scrape();
    const took = Date.now() - started;
    expect(timeouts(e)).toBe(1);
    expect(e.value('promwire_cluster_workers', { state: 'late' })).toBe(1);
    expect(e.value('promwire_cluster_workers', { state: 'answered' })).toBe(WORKERS - 1);
    expect(requestsTotal(e)).toBe(sent); // the late worker's last counters stand in for it
    console.log(`worker pid ${victim} stopped: scrape answered in ${took} ms (deadline ${WORKER_TIMEOUT_MS} ms), timeouts_total=${timeouts(e)}, sum=${requestsTotal(e)}`);
  } finally {
    const mark = fixture.output().length;
    process.kill(victim, 'SIGKILL'); // killed mid-run; the fixture's primary forks a replacement
    await fixture.waitFor(/worker \d+ exited SIGKILL/, mark);
    await fixture.waitFor(/worker 5 pid \d+ listening/, mark);
  }
}, 120000);

it('after the kill and the restart, counters continue from where they were', async () => {
  const e = await scrape();
  expect(requestsTotal(e)).toBe(sent);
  expect(timeouts(e)).toBe(1);
  expect(e.value('promwire_cluster_workers', { state: 'answered' })).toBe(WORKERS);
  const more = await load((i) => `/hello/${i}`, 200);
  expect(more.get(200)).toBe(200);
  sent += 200;
  const after = await scrape();
  expect(requestsTotal(after)).toBe(sent);
  console.log(`after SIGKILL and restart of one worker and 200 more requests: sum(http_requests_total)=${requestsTotal(after)} (sent ${sent})`);
}, 120000);

it('one combined scrape at 1,000 series per worker: heap and time', async () => {
  const mark = fixture.output().length;
  fixture.command('populate 1000');
  await fixture.waitFor(/populated 1000/, mark);
  const e = await scrape();
  const perWorker = 1000;
  expect(requestsTotal(e)).toBe(sent + WORKERS * perWorker);
  expect(e.find('http_requests_total').length).toBeGreaterThanOrEqual(perWorker); // the same 1,000 series in every worker, summed
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const at = fixture.output().length;
    fixture.command('measure');
    const [, json] = await fixture.waitFor(/measure (\{.*\})/, at);
    runs.push(JSON.parse(json!) as { ms: number; cpuMs: number; maxBlockMs: number; before: number; peak: number; after: number; bytes: number; samples: number });
  }
  const mb = (n: number) => (n / 1048576).toFixed(1);
  for (const r of runs) {
    console.log(
      `combined scrape, ${WORKERS} workers × ${perWorker} series: ${r.ms.toFixed(0)} ms wall, ${r.cpuMs.toFixed(0)} ms CPU in the primary (longest loop delay ${r.maxBlockMs.toFixed(0)} ms), ${r.samples} samples, ${(r.bytes / 1024).toFixed(0)} KiB; ` +
        `primary heap ${mb(r.before)} MiB before, ${mb(r.peak)} MiB right after, ${mb(r.after)} MiB after GC`,
    );
  }
  expect(runs.every((r) => r.samples > perWorker)).toBe(true);
}, 120000);
