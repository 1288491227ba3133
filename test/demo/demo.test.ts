/**
 * `npm run demo` (scripts/demo.mjs) on the built packages (--no-setup): it starts
 * examples/ml-inference under the preload, sends its traffic, prints the summary read from the
 * app's own scrape, and stops every process it started — after the summary with --exit, on
 * SIGTERM (Ctrl-C's path), when the demo itself is killed outright (its children end with the
 * IPC channel), and when the npm process of `npm run demo` is killed outright (the demo watches
 * it). "Stopped" is checked by pid. Timeouts are guards only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROMETHEUS } from '../helpers/prometheus';
import { ROOT } from '../helpers/processes';

jest.setTimeout(120000);

const DEMO = join(ROOT, 'scripts/demo.mjs');

interface Demo {
  child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  exited: Promise<number | null>;
}

/** The demo started as `node scripts/demo.mjs --no-setup …`, or through `npm run demo -- --no-setup …` (`npm`). */
function runDemo(args: string[], { npm = false } = {}): Demo {
  const child = npm
    ? spawn('npm', ['run', '--silent', 'demo', '--', '--no-setup', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, [DEMO, '--no-setup', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  let ended = false;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    ended = true;
    resolve(code);
  }));
  // Fails at once when the demo ended on its own before printing `pattern` (not when the test killed it).
  const waitFor = (pattern: RegExp) => poll(() => {
    const match = pattern.exec(output) ?? undefined;
    if (match === undefined && ended && !child.killed) throw new Error(`the demo exited before ${pattern}:\n${output}`);
    return match;
  }, 90000, () => `no ${pattern} in the demo's output:\n${output}`);
  return { child, output: () => output, waitFor, exited };
}

/** Polls `check` every 50 ms until it answers something; fails after `timeoutMs` (a guard). */
async function poll<T>(check: () => T | undefined, timeoutMs: number, why: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(why());
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** True while `pid` runs; a zombie (exited, not yet reaped) counts as gone. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] !== 'Z';
  } catch {
    return false;
  }
}

const allGone = (pids: number[]) => poll(() => (pids.every((p) => !alive(p)) ? true : undefined), 20000, () => `still running: ${pids.filter(alive).join(', ')}`);
const pidOf = (output: string, pattern: RegExp) => Number(pattern.exec(output)?.[1]);

test('--exit: the summary tables from the app\'s own scrape, then every process stopped and exit 0', async () => {
  const demo = runDemo(['--exit']);
  expect(await demo.exited).toBe(0);
  const out = demo.output();
  const app = pidOf(out, /^app: .*\(pid (\d+)\)$/m);
  expect(app).toBeGreaterThan(0);
  expect(out).toMatch(/^metrics: +http:\/\/127\.0\.0\.1:\d+\/metrics$/m);
  expect(out).toMatch(/^traffic: +\d+ requests: models list ×1 \(200\), predict onnx ×4 \(200\), predict tfjs ×4 \(200\)/m);
  // Requests per route with p50/p95, from the duration buckets.
  expect(out).toMatch(/^ {2}route +method +status +requests +p50 +p95$/m);
  expect(out).toMatch(/^ {2}\/v1\/predict +POST +200 +8 +[\d.]+ ms +[\d.]+ ms$/m);
  expect(out).toMatch(/^ {2}\/v1\/predict +POST +400 +1 /m);
  expect(out).toMatch(/^ {2}__unmatched__ +GET +404 +1 /m);
  // Inferences of both runtimes: 4 requests each, 1 + 4 + 32 + 1 rows.
  expect(out).toMatch(/^ {2}iris +onnxruntime-node +success +4 +.* 38 \(9\.5\) /m);
  expect(out).toMatch(/^ {2}iris +tfjs +success +4 +.* 38 \(9\.5\) /m);
  // GenAI: chat requests, tokens and time to first token.
  expect(out).toMatch(/^ {2}chat +\S+ +true +- +3 /m);
  expect(out).toMatch(/^ {2}chat +\S+ +[1-9]\d* +[1-9]\d* +[\d.]+ ms +[\d.]+ ms +[\d.]+ ms +[\d.]+ ms$/m);
  expect(out).toMatch(/^demo: stopped app \(pid \d+\)$/m);
  await allGone([app]);
});

test('SIGTERM (as Ctrl-C): the app and Prometheus stopped by pid, the temporary folder removed, exit 0', async () => {
  const withPrometheus = existsSync(PROMETHEUS);
  const demo = runDemo(withPrometheus ? [] : ['--no-prometheus']);
  try {
    await demo.waitFor(/^ {2}the demo sends one more round of traffic/m);
    const out = demo.output();
    const pids = [pidOf(out, /^app: .*\(pid (\d+)\)$/m), ...(withPrometheus ? [pidOf(out, /^Prometheus: .*\(pid (\d+);/m)] : [])];
    expect(pids.every((p) => p > 0 && alive(p))).toBe(true);
    demo.child.kill('SIGTERM');
    expect(await demo.exited).toBe(0);
    const stopped = /^demo: stopped (.*)$/m.exec(demo.output())![1]!;
    await allGone(pids);
    if (withPrometheus) {
      const dir = /removed (\S+)$/.exec(stopped)![1]!;
      expect(existsSync(dir)).toBe(false);
    }
  } finally {
    demo.child.kill('SIGKILL');
  }
});

test('the demo killed outright (SIGKILL): the processes it started end with it, and Prometheus\'s temporary folder is removed', async () => {
  const withPrometheus = existsSync(PROMETHEUS);
  const demo = runDemo(withPrometheus ? [] : ['--no-prometheus']);
  await demo.waitFor(/^ {2}the demo sends one more round of traffic/m);
  const out = demo.output();
  const pids = [pidOf(out, /^app: .*\(pid (\d+)\)$/m), ...(withPrometheus ? [pidOf(out, /^Prometheus: .*\(pid (\d+);/m)] : [])];
  expect(pids.every((p) => p > 0 && alive(p))).toBe(true);
  demo.child.kill('SIGKILL');
  await demo.exited;
  await allGone(pids);
  // Prometheus's guard removes its folder once Prometheus has exited.
  if (withPrometheus) {
    const dir = /^ {2}config and data in (\S+), removed/m.exec(out)![1]!;
    await poll(() => (existsSync(dir) ? undefined : true), 20000, () => `${dir} is still there`);
  }
});

test('npm run demo, its npm process killed outright: the demo notices and stops the app', async () => {
  const npm = runDemo(['--no-prometheus'], { npm: true });
  await npm.waitFor(/^ {2}the demo sends one more round of traffic/m);
  const app = pidOf(npm.output(), /^app: .*\(pid (\d+)\)$/m);
  expect(alive(app)).toBe(true);
  npm.child.kill('SIGKILL'); // npm's shell and the demo stay behind, as when a terminal kills npm
  await npm.exited;
  await npm.waitFor(/^demo: parent process \d+ exited; stopping$/m);
  await allGone([app]);
});
