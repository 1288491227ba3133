// `npm run demo`: examples/ml-inference, which has no promwire code, run under
//   node --require @promwire/auto/register app.js
// with a little traffic of every kind, then a summary read from its own /metrics (requests per
// route with p50/p95, inferences, tokens, TTFT), Prometheus with ops/rules when it is installed,
// and what to look at next. It installs and builds only what it runs (scripts/setup.mjs --demo,
// then @promwire/auto and the packages it loads). Ctrl-C, SIGTERM or the exit of its parent
// (npm) stops every process it started; each of them also ends when the demo's IPC channel to it
// closes (scripts/demo/exit-with-parent.cjs), so none outlives a demo killed outright.
//
// Usage: node scripts/demo.mjs [--no-setup] [--no-prometheus] [--exit]
//   --no-setup       use node_modules and dist as they are
//   --no-prometheus  do not start Prometheus even when it is installed
//   --exit           stop everything and exit after the summary (tests, CI)
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describeTraffic, sendTraffic } from './demo/traffic.mjs';
import { summarize } from './demo/summary.mjs';
import * as prometheus from './demo/prometheus.mjs';

const ROOT = join(import.meta.dirname, '..');
const EXAMPLE = join(ROOT, 'examples/ml-inference');
const GUARD = join(import.meta.dirname, 'demo/exit-with-parent.cjs');
const JOB = 'ml-inference';
/** @promwire/auto and the workspace packages it loads for this app, in build order. */
const BUILD = [['core'], ['ml', 'express', 'koa'], ['auto']];
/** Between two rounds of background traffic while the demo runs, and how long it keeps on. */
const TRICKLE_MS = 5000;
const TRICKLE_FOR_MS = 30 * 60 * 1000;

const flags = new Set(process.argv.slice(2));
for (const f of flags) if (!['--no-setup', '--no-prometheus', '--exit'].includes(f)) fail(`unknown option ${f} (known: --no-setup, --no-prometheus, --exit)`);
const started = performance.now();
const say = (line = '') => process.stdout.write(`${line}\n`);
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;

/** Every process started, for the stop: { name, child, exited }. */
const children = [];
const tempDirs = [];
let stopping;
let trickle;

function fail(message) {
  process.stderr.write(`demo: ${message}\n`);
  process.exitCode = 1;
  void stop();
}

/** Starts `args` with an IPC channel (the child's exit-with-parent guard watches it); output is collected, and echoed once `echo` is set. */
function start(name, command, args, options = {}, { toEnd = false } = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], ...options });
  const entry = { name, child, output: '', echo: false, exited: new Promise((resolve) => child.once('exit', resolve)) };
  if (!toEnd) entry.exited.then(() => { if (stopping === undefined) fail(`${name} exited unexpectedly:\n${entry.output}`); });
  const onData = (chunk) => {
    entry.output += chunk;
    if (entry.echo) for (const line of String(chunk).split('\n').filter(Boolean)) say(`  ${name}| ${line}`);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  children.push(entry);
  return entry;
}

/** Resolves with the first match of `pattern` in the output of `entry` (bounded). */
function waitFor(entry, pattern, timeoutMs = 60000) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(entry.output);
      if (match === null) return false;
      clearInterval(poll);
      clearTimeout(timer);
      resolve(match);
      return true;
    };
    const poll = setInterval(check, 50);
    const timer = setTimeout(() => {
      clearInterval(poll);
      reject(new Error(`${entry.name} printed no ${pattern} in ${timeoutMs / 1000} s:\n${entry.output}`));
    }, timeoutMs);
    entry.exited.then(() => setTimeout(() => check() || (clearInterval(poll), clearTimeout(timer), reject(new Error(`${entry.name} exited:\n${entry.output}`))), 100));
    check();
  });
}

/** Stops every process started (SIGTERM, SIGKILL after 5 s), removes the temporary folders, exits. */
function stop(reason) {
  stopping ??= (async () => {
    clearTimeout(trickle);
    if (reason) say(`\ndemo: ${reason}; stopping`);
    await Promise.all(children.map(async ({ child, exited }) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(kill);
    }));
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
    if (children.length > 0) say(`demo: stopped ${children.map(({ name, child, pid }) => `${name} (pid ${pid ?? child.pid})`).join(', ')}${tempDirs.length ? `; removed ${tempDirs.join(', ')}` : ''}`);
    process.exit();
  })();
  return stopping;
}

process.on('SIGINT', () => stop('interrupted'));
process.on('SIGTERM', () => stop('terminated'));
// The parent gone (this process handed to another) or, under `npm run`, npm itself gone (the
// parent is then the shell npm started, which outlives an npm killed outright).
const parent = process.ppid;
const ancestors = [parent, ...(process.env.npm_lifecycle_event === undefined ? [] : [grandparent()])].filter((pid) => pid > 1);
setInterval(() => {
  const gone = process.ppid !== parent ? parent : ancestors.find((pid) => !alive(pid));
  if (gone !== undefined) void stop(`parent process ${gone} exited`);
}, 500).unref();

/** The parent's parent, from /proc (Linux); 0 where there is no /proc. */
function grandparent() {
  try {
    return Number(readFileSync(`/proc/${process.ppid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]);
  } catch {
    return 0;
  }
}

/** True while `pid` runs (a zombie, exited but not yet reaped, counts as gone). */
function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error.code === 'EPERM';
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] !== 'Z';
  } catch {
    return true;
  }
}

/** Runs a command to its end with the output shown; rejects on a non-zero exit. */
function run(label, command, args, cwd = ROOT) {
  const entry = start(label, command, args, { cwd, env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }, { toEnd: true });
  return entry.exited.then((code) => {
    children.splice(children.indexOf(entry), 1);
    if (code !== 0) throw new Error(`${label} failed (exit ${code})`);
  });
}

/** Newest modification time under `path`. */
function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((f) => newest(join(path, f))));
}

/** Builds the packages the app loads whose dist is missing or older than their sources. */
async function build() {
  const built = [];
  for (const layer of BUILD) {
    await Promise.all(layer.map(async (pkg) => {
      const dir = join(ROOT, 'packages', pkg);
      const dist = join(dir, 'dist/index.js');
      if (existsSync(dist) && statSync(dist).mtimeMs >= Math.max(newest(join(dir, 'src')), newest(join(dir, 'package.json')))) return;
      await run(`build @promwire/${pkg}`, process.execPath, [join(ROOT, 'scripts/build-package.mjs')], dir);
      built.push(pkg);
    }));
  }
  return built;
}

async function main() {
  say('promwire demo: examples/ml-inference (an iris classifier on onnxruntime-node and TensorFlow.js, with');
  say('no promwire code) under node --require @promwire/auto/register app.js');
  say();
  if (!flags.has('--no-setup')) {
    await run('setup', process.execPath, [join(ROOT, 'scripts/setup.mjs'), '--demo']);
    const built = await build();
    say(`setup: dependencies installed; ${built.length ? `built @promwire/${built.join(', @promwire/')}` : 'packages already built'} (${elapsed()})`);
  }

  const app = start('app', process.execPath, ['--require', GUARD, '--require', '@promwire/auto/register', 'app.js'], {
    cwd: EXAMPLE,
    env: { ...process.env, PORT: process.env.PORT ?? '0', HOST: '127.0.0.1', PROMWIRE_PORT: process.env.PROMWIRE_PORT ?? '0', PROMWIRE_HOST: '127.0.0.1' },
  });
  const [[, appUrl], [, metricsUrl]] = await Promise.all([
    waitFor(app, /listening on (http:\/\/\S+)/),
    waitFor(app, /promwire: metrics on (http:\/\/\S+)/),
  ]);
  say(`app:      ${appUrl}  (pid ${app.child.pid})`);
  say(`metrics:  ${metricsUrl}`);

  const withPrometheus = !flags.has('--no-prometheus') && !flags.has('--exit') && prometheus.available();
  const prom = withPrometheus ? startPrometheus(metricsUrl) : undefined;
  prom?.catch(() => undefined);

  const traffic = await sendTraffic(appUrl);
  say(`traffic:  ${traffic.sent} requests: ${describeTraffic(traffic)}`);
  if (traffic.absent.length > 0) say(`          ${traffic.absent.join(' and ')}: not served by this example yet (404), so no GenAI figures below`);

  const scrape = await fetch(metricsUrl, { signal: AbortSignal.timeout(10000) });
  const { text, figures } = summarize(await scrape.text());
  say();
  say(`What the app's own /metrics says now (${elapsed()} after start):`);
  say(text);
  if (figures.genaiRequests === 0 && traffic.absent.length === 0) say('  (no gen_ai_server_* series: this @promwire/auto does not read OpenAI-compatible traffic yet)');

  if (prom !== undefined) {
    try {
      const { url, pid, dir } = await prom;
      say();
      say(`Prometheus: ${url}  (pid ${pid}; scrapes the app every 5 s, ops/rules/promwire.rules.yml loaded; graphs fill after two scrapes)`);
      say(`  config and data in ${dir}, removed when the demo stops`);
      for (const [title, link] of prometheus.graphLinks(url, JOB)) say(`  ${title.padEnd(26)} ${link}`);
    } catch (error) {
      say(`\nPrometheus did not start: ${error.message}`);
    }
  } else if (!flags.has('--exit') && !flags.has('--no-prometheus')) {
    say(`\nPrometheus is not installed (${prometheus.PROMETHEUS}); with it (apt-get install prometheus) the demo also starts one with ops/rules loaded.`);
  }

  say();
  say('Next:');
  say(`  curl -s ${metricsUrl} | grep -E '^(http_requests_total|ml_|gen_ai_)'`);
  say(`  curl -s ${appUrl}/v1/predict -H 'content-type: application/json' -d '{"inputs":[6.3,3.3,6.0,2.5]}'`);
  say('  docs/operations.md: the rules, the alerts and the Grafana dashboard (ops/grafana/promwire.json) for these metrics');
  say('  examples/ml-inference/README.md: the same app with explicit code (server.js) and the queries that answer the usual questions');
  if (flags.has('--exit')) return stop();
  say(`  the demo sends one more round of traffic every ${TRICKLE_MS / 1000} s, so the graphs move; Ctrl-C stops the app${prom ? ' and Prometheus' : ''}`);
  app.echo = true;
  const until = Date.now() + TRICKLE_FOR_MS;
  const again = () => {
    if (Date.now() > until) return;
    trickle = setTimeout(() => sendTraffic(appUrl).then(again, again), TRICKLE_MS);
  };
  again();
}

/** Starts Prometheus (under the exit-with-parent guard) on a temporary folder; resolves when it is ready. */
async function startPrometheus(metricsUrl) {
  const { dir, args, url } = await prometheus.prepare(ROOT, metricsUrl, JOB);
  tempDirs.push(dir);
  // Not fatal: without Prometheus the app and its /metrics still serve.
  const entry = start('prometheus', process.execPath, [GUARD, '--remove', dir, prometheus.PROMETHEUS, ...args], {}, { toEnd: true });
  entry.exited.then((code) => stopping === undefined && say(`demo: Prometheus exited (${code}); the app keeps running`));
  entry.echo = true;
  // The guard reports the pid of the Prometheus it started: the one the user sees named.
  const pid = new Promise((resolve) => entry.child.once('message', (m) => resolve((entry.pid = m?.pid))));
  await prometheus.ready(url, entry.exited);
  return { url, dir, pid: await pid };
}

main().catch((error) => fail(error.message));
