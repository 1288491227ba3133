// Start-up cost of the @promwire/auto preload (issue 12): `node -e 0` with and without
// `--require` / `--import @promwire/auto/register`, and the time from spawning the zero-code
// Express example (examples/auto-cjs) to its first answered request, with and without the
// preload. Runs interleaved, median of each; prints a Markdown table for docs/zero-code.md.
//
//   node bench/auto-startup.mjs [--runs=N] [--node=/path/to/node]
import { spawn, spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = join(import.meta.dirname, '..');
const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const RUNS = Number(arg('runs', 30));
const NODE = arg('node', process.execPath);
const ENV = { ...process.env, PROMWIRE_PORT: '0', PROMWIRE_HOST: '127.0.0.1', PORT: '0' };

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function timeEmpty(flags) {
  const start = performance.now();
  const result = spawnSync(NODE, [...flags, '-e', '0'], { cwd: ROOT, env: ENV, stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`node ${flags.join(' ')} -e 0 exited with ${result.status}`);
  return performance.now() - start;
}

/** Spawn to the first 200 from the example: the app prints its URL, one GET /orders/1. */
function timeFirstRequest(flags) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(NODE, [...flags, join(ROOT, 'examples/auto-cjs/server.js')], { cwd: ROOT, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match === null) return;
      child.stdout.off('data', onData);
      request(`${match[1]}/orders/1`, (res) => {
        res.resume();
        res.on('end', () => {
          const elapsed = performance.now() - start;
          child.once('exit', () => resolve(elapsed));
          child.kill();
        });
      }).on('error', reject).end();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => { if (!/listening on/.test(output)) reject(new Error(`example exited ${code}: ${output}`)); });
  });
}

const variants = {
  'node -e 0': [],
  'node --require @promwire/auto/register -e 0': ['--require', '@promwire/auto/register'],
  'node --import @promwire/auto/register -e 0': ['--import', '@promwire/auto/register'],
};
const empty = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (const flags of Object.values(variants)) timeEmpty(flags); // warm the file cache
for (let i = 0; i < RUNS; i++) for (const [name, flags] of Object.entries(variants)) empty[name].push(timeEmpty(flags));

const apps = { 'examples/auto-cjs, no preload': [], 'examples/auto-cjs, --require preload': [] };
const appFlags = { 'examples/auto-cjs, no preload': [], 'examples/auto-cjs, --require preload': ['--require', '@promwire/auto/register'] };
const appRuns = Math.max(5, Math.round(RUNS / 3));
for (let i = 0; i < appRuns; i++) for (const [name, flags] of Object.entries(appFlags)) apps[name].push(await timeFirstRequest(flags));

const version = spawnSync(NODE, ['-p', 'process.version'], { encoding: 'utf8' }).stdout.trim();
const base = median(empty['node -e 0']);
const appBase = median(apps['examples/auto-cjs, no preload']);
console.log(`Node ${version}, ${RUNS} runs each (${appRuns} for the example), interleaved, median wall time of the whole process\n`);
console.log('| what | median ms | added by the preload |');
console.log('|---|---:|---:|');
for (const [name, times] of Object.entries(empty)) {
  const m = median(times);
  console.log(`| \`${name}\` | ${m.toFixed(1)} | ${name === 'node -e 0' ? '' : `+${(m - base).toFixed(1)} ms`} |`);
}
for (const [name, times] of Object.entries(apps)) {
  const m = median(times);
  console.log(`| spawn → first answer, ${name} | ${m.toFixed(1)} | ${name.endsWith('no preload') ? '' : `+${(m - appBase).toFixed(1)} ms`} |`);
}
