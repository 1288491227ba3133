/**
 * Runs an app under the preload in a child process (`node --require|--import
 * @promwire/auto/register app`), on the built packages, loopback only: the app on a free port,
 * the metrics on another (PROMWIRE_PORT=0), learnt from the lines the two print. The child's
 * environment is this one's (PROMWIRE_CLIENT passes through: the run's client) plus `env`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { type Exposition, parseExposition } from '../helpers/exposition';
import { request } from '../helpers/http';
import { ROOT } from '../helpers/processes';

export const APPS = join(__dirname, 'apps');
export type Flag = '--require' | '--import';

export interface AppRun {
  child: ChildProcess;
  /** The app's base URL (empty when it printed none). */
  appUrl: string;
  /** The preload's metrics URL (empty when it printed none). */
  metricsUrl: string;
  output(): string;
  /** Resolves when the output matches `pattern` (bounded: fails after 45 s with the output). */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  scrape(): Promise<Exposition>;
  stop(): Promise<void>;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Wait for these before resolving; default the app's and the metrics' lines. */
  ready?: RegExp[];
  cwd?: string;
  /** Preload specifiers, default ['@promwire/auto/register']. */
  preloads?: string[];
}

const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+)/;
const METRICS = /promwire: metrics on (http:\/\/127\.0\.0\.1:\d+\/\S*)/;

/** At most this many apps start at once (the suites share two cores with the rest of the run). */
let starting = 0;
const queue: (() => void)[] = [];
async function slot<T>(start: () => Promise<T>): Promise<T> {
  if (starting >= 3) await new Promise<void>((resolve) => queue.push(resolve));
  starting++;
  try {
    return await start();
  } finally {
    starting--;
    queue.shift()?.();
  }
}

export function runApp(app: string, flag: Flag, options: RunOptions = {}): Promise<AppRun> {
  return slot(() => startApp(app, flag, options));
}

async function startApp(app: string, flag: Flag, options: RunOptions): Promise<AppRun> {
  const preloads = (options.preloads ?? ['@promwire/auto/register']).flatMap((p) => [flag, p]);
  const child = spawn(process.execPath, [...preloads, app.startsWith('/') ? app : join(APPS, app)], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', PROMWIRE_PORT: '0', PROMWIRE_HOST: '127.0.0.1', NODE_ENV: 'test', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters: { pattern: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  const onData = (chunk: Buffer): void => {
    output += chunk.toString();
    for (const waiter of waiters.slice()) {
      const match = waiter.pattern.exec(output);
      if (match !== null) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waitFor = (pattern: RegExp): Promise<RegExpExecArray> => {
    const match = pattern.exec(output);
    if (match !== null) return Promise.resolve(match);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${app} ${flag}: no ${pattern} in time; it printed:\n${output}`)), 45000);
      const done = (m: RegExpExecArray): void => {
        clearTimeout(timer);
        resolve(m);
      };
      waiters.push({ pattern, resolve: done });
      void exited.then(() => setImmediate(() => {
        if (waiters.some((w) => w.resolve === done)) {
          clearTimeout(timer);
          reject(new Error(`${app} ${flag} exited before ${pattern}; it printed:\n${output}`));
        }
      }));
    });
  };
  const run: AppRun = {
    child,
    appUrl: '',
    metricsUrl: '',
    output: () => output,
    waitFor,
    scrape: async () => {
      const reply = await request(run.metricsUrl);
      if (reply.status !== 200) throw new Error(`scrape answered ${reply.status}: ${reply.body}`);
      return parseExposition(reply.body);
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.kill('SIGTERM');
        await exited;
        clearTimeout(kill);
      }
    },
  };
  try {
    for (const pattern of options.ready ?? [LISTENING, METRICS]) {
      const match = await waitFor(pattern);
      if (pattern === LISTENING) run.appUrl = match[1]!;
      if (pattern === METRICS) run.metricsUrl = match[1]!;
    }
  } catch (error) {
    await run.stop();
    throw error;
  }
  return run;
}

export { LISTENING, METRICS };

/** Polls the scrape until `check` holds (bounded); answers the last exposition. */
export async function scrapeUntil(run: AppRun, check: (exp: Exposition) => boolean): Promise<Exposition> {
  const deadline = Date.now() + 15000;
  for (;;) {
    const exp = await run.scrape();
    if (check(exp)) return exp;
    if (Date.now() > deadline) throw new Error(`the metrics never satisfied ${check.toString()}; last scrape:\n${JSON.stringify(exp.find('http_requests_total'))}\napp output:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
