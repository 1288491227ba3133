// The test matrix `npm test` runs after setup, build and typecheck: jest once per Node version
// and Prometheus client, one after the other, then a table of every run (suites, passed,
// failed) and a summary file for .ci/run. When every run of the full matrix reported, it also
// rewrites the compatibility table (docs/compatibility.md and the README's copy).
//
//   node scripts/test-matrix.mjs [--only=<run id>,...] [-- <extra jest arguments for every run>]
//   node scripts/test-matrix.mjs --docs-only   rewrite the table from each run's last results
//
// The client of a run is chosen with PROMWIRE_CLIENT; for @prometheus-io/client, jest also maps
// the tests' own 'prom-client' imports onto it (jest.projects.js). PROMWIRE_MATRIX_SUMMARY names
// the summary file (default node_modules/.cache/promwire/matrix-summary.json).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { nodeBinary } from './node-versions.mjs';
import { writeCompatibility } from './test-matrix-docs.mjs';

const ROOT = join(import.meta.dirname, '..');
const IO = '@prometheus-io/client';
// Core and every adapter's main suite (the NestJS one on the workspace's NestJS).
const SMOKE = ['--selectProjects', 'packages', 'nestjs', '--', 'packages/core', 'packages/express', 'packages/fastify', 'packages/koa', 'packages/nestjs'];
const SMOKE_SCOPE = 'smoke: core, Express, Fastify, Koa, NestJS';

/** The runs, in order. `node` is a version from scripts/node-versions.mjs, or 'system' (this Node). */
const RUNS = [
  { id: 'node20-prom-client', node: 'system', client: 'prom-client', scope: 'full', args: [] },
  { id: 'node24-prometheus-io', node: '24.22.3', client: IO, scope: 'full (reliability reduced)', args: [],
    env: { PROMWIRE_RELIABILITY_SIZE: 'reduced' } },
  { id: 'node24-prom-client', node: '24.22.3', client: 'prom-client', scope: 'packages: core and every adapter',
    args: ['--selectProjects', 'packages', 'nestjs', 'nestjs on NestJS 10', 'nestjs on NestJS 11', '--', 'packages/'] },
  { id: 'node22-prometheus-io-smoke', node: '22.23.5', client: IO, scope: SMOKE_SCOPE, args: SMOKE },
  { id: 'node26-prometheus-io-smoke', node: '26.12.1', client: IO, scope: SMOKE_SCOPE, args: SMOKE },
];

const argv = process.argv.slice(2);
const dashDash = argv.indexOf('--');
const extra = dashDash === -1 ? [] : argv.slice(dashDash + 1);
const own = dashDash === -1 ? argv : argv.slice(0, dashDash);
const only = own.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const selected = only === undefined ? RUNS : RUNS.filter((r) => only.includes(r.id));
if (selected.length === 0) throw new Error(`test-matrix: no run matches --only=${only}; runs: ${RUNS.map((r) => r.id).join(', ')}`);

const cache = join(ROOT, 'node_modules/.cache/promwire');
mkdirSync(cache, { recursive: true });
const summaryPath = process.env.PROMWIRE_MATRIX_SUMMARY || join(cache, 'matrix-summary.json');
const jest = join(ROOT, 'node_modules/jest/bin/jest.js');
const reporter = join(ROOT, 'scripts/matrix-reporter.cjs');
const clientVersion = (name) => JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;

const binaryOf = (run) => (run.node === 'system' ? process.execPath : nodeBinary(run.node));
const reportOf = (run) => join(cache, `matrix-${run.id}.json`);

/** A run as the table shows it, with its jest report (counts and files) when there is one. */
function resultOf(run, extra = {}) {
  const bin = binaryOf(run);
  const node = existsSync(bin) ? spawnSync(bin, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim() : run.node;
  const result = { id: run.id, node, client: run.client, clientVersion: clientVersion(run.client), scope: run.scope, reported: false, ...extra };
  if (!existsSync(reportOf(run))) return result;
  return { ...result, ...JSON.parse(readFileSync(reportOf(run), 'utf8')), reported: true };
}

if (own.includes('--docs-only')) {
  const runs = RUNS.map((run) => resultOf(run));
  const missing = runs.filter((r) => !r.reported).map((r) => r.id);
  if (missing.length > 0) throw new Error(`test-matrix: no results of ${missing.join(', ')}: run the matrix first`);
  const changed = writeCompatibility(runs);
  console.log(changed.length > 0 ? `compatibility table updated: ${changed.join(', ')}` : 'compatibility table unchanged');
  process.exit(0);
}

function execute(run, index) {
  const bin = binaryOf(run);
  const out = reportOf(run);
  rmSync(out, { force: true });
  if (!existsSync(bin)) {
    console.error(`test-matrix: ${run.id}: no Node at ${bin} (run node scripts/setup.mjs)`);
    return resultOf(run);
  }
  const { node, clientVersion: version } = resultOf(run);
  console.log(`\n== test matrix ${index + 1}/${selected.length}: ${run.id}: Node ${node}, ${run.client} ${version}, ${run.scope}\n`);
  const started = Date.now();
  const jestRun = spawnSync(bin, [jest, '--ci', '--reporters=default', `--reporters=${reporter}`, ...run.args, ...extra], {
    cwd: ROOT,
    stdio: 'inherit',
    env: {
      ...process.env,
      ...run.env,
      PROMWIRE_CLIENT: run.client,
      PROMWIRE_MATRIX_OUT: out,
      // Anything a test spawns by name (bin scripts) runs on the same Node.
      PATH: `${dirname(bin)}${delimiter}${process.env.PATH ?? ''}`,
    },
  });
  return resultOf(run, { seconds: Math.round((Date.now() - started) / 1000), exitCode: jestRun.status });
}

const results = selected.map(execute);

const ok = (r) => r.reported && r.failed === 0 && r.exitCode === 0 && !r.interrupted;
const columns = [
  ['run', (r) => r.id], ['node', (r) => r.node], ['client', (r) => `${r.client} ${r.clientVersion}`],
  ['suites', (r) => (r.reported ? r.suites : '-')], ['passed', (r) => (r.reported ? r.passed : '-')],
  ['failed', (r) => (r.reported ? r.failed : '-')], ['skipped', (r) => (r.reported ? r.skipped : '-')],
  ['time', (r) => (r.seconds === undefined ? '-' : `${r.seconds}s`)],
  ['result', (r) => (ok(r) ? 'ok' : r.reported ? 'FAILED' : 'NO REPORT')],
];
const rows = results.map((r) => columns.map(([, get]) => String(get(r))));
const sum = (key) => results.reduce((n, r) => n + (r.reported ? r[key] : 0), 0);
rows.push(['total', '', '', String(sum('suites')), String(sum('passed')), String(sum('failed')), String(sum('skipped')), '',
  results.every(ok) ? 'ok' : 'FAILED']);
const widths = columns.map(([title], i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
console.log(`\ntest matrix\n${line(columns.map(([title]) => title))}\n${rows.map(line).join('\n')}`);

writeFileSync(summaryPath, `${JSON.stringify({ expected: selected.length, runs: results.map(({ files, ...r }) => r) }, null, 2)}\n`);

if (only === undefined && extra.length === 0 && results.every((r) => r.reported)) {
  const changed = writeCompatibility(results);
  console.log(changed.length > 0 ? `compatibility table updated: ${changed.join(', ')}` : 'compatibility table unchanged');
}
process.exitCode = results.every(ok) ? 0 : 1;
