// `npm run bench`: promwire's per-request cost against the bare framework, a no-op hook, the
// hand-written prom-client floor and the peers, for every framework whose promwire adapter is
// built; then `/metrics` serialization time and heap per series. See docs/benchmarks.md.
//
//   npm run bench                         about 10 minutes, every framework present
//   npm run bench -- --quick              under 2 minutes, 3 rounds
//   npm run bench -- --framework express  only these frameworks (repeat or comma-separate)
//   node bench/run.mjs --help             every option
//   npm run bench -- --instructions       instructions per request under callgrind (bench/instructions.mjs)
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildPackages } from './lib/build.mjs';
import { FRAMEWORKS, ROOT, loadFramework, unavailable, versionOf } from './lib/frameworks.mjs';
import { machine, packageVersions } from './lib/machine.mjs';
import { HAS_TASKSET, ask, nextMessage, spawnNode, stop } from './lib/processes.mjs';
import { describe, scrapeCount } from './lib/scrape.mjs';
import { frameworkFigures, summary } from './lib/stats.mjs';
import { evaluateTargets, expositionRows, frameworkHeading, frameworkRows, targetLine, textTable } from './lib/report.mjs';
import { writeDocs } from './lib/docs.mjs';
import { Progress } from './lib/progress.mjs';

// The instruction-count mode has options of its own: hand the command line over to it.
if (process.argv.slice(2).includes('--instructions')) {
  const { main } = await import('./instructions.mjs');
  process.exit(await main(process.argv.slice(2).filter((a) => a !== '--instructions')));
}

const USAGE = `usage: node bench/run.mjs [options]
  --instructions        count instructions per request under valgrind's callgrind instead of
                        CPU time (see --instructions --help for its options)
  --quick               3 rounds, short loads: under 2 minutes
  --framework <id>      ${FRAMEWORKS.join(', ')} (repeatable, or comma-separated); default: all built
  --variant <id>        only these variants besides bare (repeatable, or comma-separated)
  --rounds <n>          rounds of (bare, X, bare, Y, …); default 5 or more to fill the budget, quick 3
  --seconds <s>         target seconds of load per measurement; default derived from the budget
  --budget <s>          wall-clock target for the whole run; default 600, quick 105
  --connections <n>     autocannon connections; default 10
  --node <path>         the node binary that runs the servers, loads and serializers; default this one
  --no-build            do not rebuild stale packages first
  --no-exposition       skip the /metrics serialization and heap part
  --no-docs             do not rewrite docs/benchmarks.md`;

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    framework: { type: 'string', multiple: true },
    variant: { type: 'string', multiple: true },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    budget: { type: 'string' },
    connections: { type: 'string' },
    node: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    'no-exposition': { type: 'boolean', default: false },
    'no-docs': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
if (args.node !== undefined) {
  if (!existsSync(args.node)) {
    console.error(`--node: no such file: ${args.node}\n${USAGE}`);
    process.exit(2);
  }
  process.env.PROMWIRE_BENCH_NODE = resolve(args.node);
}

const MODE = args.quick
  ? { name: 'quick', budget: 105, rounds: 3, maxRounds: 3, minSeconds: 0.15, maxSeconds: 1.0, warmup: 0.5, exposition: { 1000: 5, 10000: 3 } }
  : { name: 'default', budget: 600, rounds: 5, maxRounds: 15, minSeconds: 0.5, maxSeconds: 2.0, warmup: 3.0, exposition: { 1000: 20, 10000: 8 } };
const SETTINGS = {
  mode: MODE.name,
  budgetSeconds: positive('budget', MODE.budget),
  roundsFixed: args.rounds !== undefined,
  rounds: positive('rounds', MODE.rounds, true),
  secondsFixed: args.seconds !== undefined,
  seconds: positive('seconds', undefined),
  connections: positive('connections', 10, true),
  warmupSeconds: MODE.warmup,
  serverCpu: HAS_TASKSET ? 0 : undefined,
  loadCpu: HAS_TASKSET ? 1 : undefined,
  taskset: HAS_TASKSET,
};
// Seconds a load costs beyond its requests (IPC, connecting), and per-server start-up.
const OVERHEAD_S = 0.06;
const STARTUP_S = { express: 3, fastify: 2, koa: 1.5, nestjs: 4 }; // all of a framework's servers, started together
// Variants run slower than bare; planned load time is stretched by this much.
const SLOWDOWN = 1.2;
// Unmeasured load before each measurement, as a share of its request count.
const REWARM = 0.25;
/** Wall-clock seconds of one measurement whose load targets `seconds`. */
const stepCost = (seconds) => seconds * SLOWDOWN * (1 + REWARM) + 2 * OVERHEAD_S;

/** How this run was started, as the user typed it. */
function commandLine() {
  const rest = process.argv.slice(2).join(' ');
  if (process.env.npm_lifecycle_event === 'bench') return `npm run bench${rest ? ` -- ${rest}` : ''}`;
  return `node bench/run.mjs ${rest}`.trim();
}

function positive(name, fallback, integer = false) {
  if (args[name] === undefined) return fallback;
  const n = Number(args[name]);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    console.error(`--${name} must be a positive ${integer ? 'integer' : 'number'}\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

const startedAt = Date.now();
const elapsed = () => (Date.now() - startedAt) / 1000;
const children = new Set();
process.on('SIGINT', async () => {
  console.error('\ninterrupted: stopping benchmark processes');
  await Promise.all([...children].map((c) => stop(c, 1000)));
  process.exit(130);
});

function track(child) {
  children.add(child);
  child.exited.then(() => children.delete(child));
  return child;
}

// ── Which frameworks ────────────────────────────────────────────────────────────────────────
const selected = (args.framework ?? FRAMEWORKS).flatMap((f) => f.split(',')).map((f) => f.trim()).filter(Boolean);
for (const id of selected) {
  if (!FRAMEWORKS.includes(id)) {
    console.error(`unknown framework '${id}' (known: ${FRAMEWORKS.join(', ')})`);
    process.exit(2);
  }
}
if (!args['no-build']) buildPackages(['core', ...selected]);

const frameworks = [];
const onlyVariants = args.variant?.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
for (const id of selected) {
  const { framework, variants: all } = await loadFramework(id);
  // Variants marked `optIn` (controls for one question) run only when named.
  const variants = all.filter((v) => (onlyVariants === undefined ? v.optIn !== true : v.id === 'bare' || onlyVariants.includes(v.id)));
  const reason = unavailable(id, framework);
  frameworks.push({
    ...framework,
    version: versionOf(framework.frameworkPackage),
    skipped: reason,
    variants: variants.map((v) => ({
      id: v.id, kind: v.kind, package: v.package, version: v.package ? versionOf(v.package) : undefined,
      note: v.note, checkSpec: v.check,
    })),
  });
}
const runnable = frameworks.filter((f) => f.skipped === undefined);
for (const f of frameworks) {
  if (f.skipped !== undefined) console.log(`skipping ${f.title}: ${f.skipped}`);
}
console.log(
  `promwire bench (${MODE.name}): ${runnable.map((f) => f.title).join(', ') || 'no framework'}` +
    `${HAS_TASKSET ? '; server on CPU 0, load on CPU 1' : '; taskset not found, processes not pinned'}`,
);

// ── Plan ────────────────────────────────────────────────────────────────────────────────────
const measurementsPerRound = (fw) => 2 * (fw.variants.length - 1) + 1;
const expositionEstimate = args['no-exposition'] ? 0 : MODE.name === 'quick' ? 8 : 25;
function fixedCost(fw) {
  const n = fw.variants.length;
  return STARTUP_S[fw.id] + n * (1.5 * MODE.warmup + 3 * OVERHEAD_S + 0.1) + MODE.warmup / 2 + 1;
}

/** Rounds and seconds per measurement for the frameworks still to run, given the time left. */
function plan(remaining) {
  const left = SETTINGS.budgetSeconds - elapsed() - (expositionDone ? 0 : expositionEstimate);
  const fixed = remaining.reduce((s, fw) => s + fixedCost(fw), 0);
  const perRound = remaining.reduce((s, fw) => s + measurementsPerRound(fw), 0);
  const loadTime = Math.max(0, left - fixed);
  let rounds = SETTINGS.rounds;
  const secondsFor = (r) => (loadTime / (r * perRound) - 2 * OVERHEAD_S) / (SLOWDOWN * (1 + REWARM));
  if (!SETTINGS.roundsFixed && !SETTINGS.secondsFixed) {
    while (rounds < MODE.maxRounds && secondsFor(rounds + 1) >= MODE.maxSeconds) rounds++;
  }
  const seconds = SETTINGS.seconds ?? Math.min(MODE.maxSeconds, Math.max(MODE.minSeconds, secondsFor(rounds)));
  return { rounds, seconds };
}

let expositionDone = false;
const progress = new Progress();
const loader = track(spawnNode('load.mjs', [], { cpu: SETTINGS.loadCpu }));
await nextMessage(loader, 'ready', 20000);
let loadSeq = 0;

async function load(port, amount, maxSeconds) {
  const answer = await ask(
    loader,
    { type: 'run', id: ++loadSeq, port, amount, connections: SETTINGS.connections, maxSeconds },
    'result',
    (maxSeconds + 30) * 1000,
  );
  if (answer.error !== undefined) throw new Error(answer.error);
  return answer.result;
}

// ── /metrics serialization and heap ─────────────────────────────────────────────────────────
const exposition = [];
if (!args['no-exposition']) {
  const jobs = [];
  for (const series of [1000, 10000]) {
    for (const impl of ['promwire', 'prom-client']) jobs.push({ impl, series, iterations: MODE.exposition[series] });
  }
  for (const [i, job] of jobs.entries()) {
    progress.update(`/metrics: ${job.impl} at ${job.series.toLocaleString('en-US')} series (${i + 1}/${jobs.length})`, undefined);
    const child = track(spawnNode('exposition.mjs', [job.impl, String(job.series), String(job.iterations)], {
      cpu: SETTINGS.serverCpu, nodeArgs: ['--expose-gc'],
    }));
    try {
      const { result } = await nextMessage(child, 'result', 180000);
      exposition.push({
        ...result,
        label: job.impl === 'promwire' ? 'promwire renderRegistry' : 'prom-client registry.metrics()',
        render: summary(result.renderMs),
      });
      if (result.renderByClientMs !== undefined) {
        exposition.push({
          ...result, impl: 'promwire-via-prom-client', label: 'promwire via prom-client registry.metrics()',
          render: summary(result.renderByClientMs),
        });
      }
    } catch (error) {
      exposition.push({ impl: job.impl, series: job.series, error: error.message });
    }
    await stop(child);
  }
  progress.done(`/metrics part done in ${elapsed().toFixed(0)} s`);
}
expositionDone = true;

// ── Per-request cost ────────────────────────────────────────────────────────────────────────
for (const [index, fw] of runnable.entries()) {
  const { rounds, seconds } = plan(runnable.slice(index));
  fw.rounds = rounds;
  fw.targetSeconds = seconds;
  await runFramework(fw, runnable.slice(index + 1));
}
await stop(loader);

async function runFramework(fw, later) {
  const servers = new Map();
  const say = (text, eta) => progress.update(`[${fw.id}] ${text}`, eta);
  const laterCost = () => later.reduce((s, f) => s + fixedCost(f) + fw.rounds * measurementsPerRound(f) * stepCost(fw.targetSeconds), 0);

  say(`starting ${fw.variants.length} servers`, undefined);
  await Promise.all(
    fw.variants.map(async (v) => {
      const child = track(spawnNode('server.mjs', [fw.id, v.id], { cpu: SETTINGS.serverCpu, stdio: 'pipe' }));
      let stderr = '';
      child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
      child.stdout.resume();
      try {
        const { port } = await nextMessage(child, 'ready', 60000);
        servers.set(v.id, { child, port, sentOk: 0 });
      } catch (error) {
        v.startError = `${error.message.split('\n')[0]}${stderr ? ` (${stderr.trim().split('\n').pop()})` : ''}`;
        await stop(child);
      }
    }),
  );
  for (const v of fw.variants) {
    if (v.startError !== undefined) progress.done(`[${fw.id}] ${v.id} did not start: ${v.startError}`);
  }
  if (!servers.has('bare')) {
    fw.skipped = 'the bare server did not start';
    for (const s of servers.values()) await stop(s.child);
    return;
  }

  // Warm-up: every server under load for a while, then a calibration load on bare sets the
  // fixed request count of every measurement of this framework.
  // Two passes: the first measurement after a single pass still ran slower than the rest.
  for (const [pass, seconds] of [[1, MODE.warmup], [2, MODE.warmup / 2]]) {
    for (const [id, s] of servers) {
      if (s.dead !== undefined) continue;
      say(`warm-up ${id} (pass ${pass})`, undefined);
      try {
        const r = await load(s.port, 5_000_000, seconds);
        s.sentOk += r.ok;
      } catch (error) {
        s.dead = `warm-up failed: ${error.message}`;
      }
    }
  }
  const bare = servers.get('bare');
  try {
    if (bare.dead !== undefined) throw new Error(bare.dead);
    const calibration = await load(bare.port, 5_000_000, MODE.warmup / 2);
    bare.sentOk += calibration.ok;
    fw.requestsPerMeasurement = Math.max(200, Math.round((calibration.rps * fw.targetSeconds) / 100) * 100);
  } catch (error) {
    fw.skipped = `the bare server failed: ${error.message.split('\n')[0]}`;
    progress.done(`[${fw.id}] skipped: ${fw.skipped}`);
    for (const s of servers.values()) await stop(s.child);
    return;
  }

  await checkAll(fw, servers, 'after warm-up');

  const live = fw.variants.filter((v) => servers.has(v.id) && v.id !== 'bare');
  const sequence = [];
  for (let round = 1; round <= fw.rounds; round++) {
    const offset = (round - 1) % live.length;
    const order = [...live.slice(offset), ...live.slice(0, offset)];
    sequence.push({ round, id: 'bare' });
    for (const v of order) sequence.push({ round, id: v.id }, { round, id: 'bare' });
  }

  fw.measurements = [];
  const maxSeconds = Math.max(5, 4 * fw.targetSeconds * SLOWDOWN + 2);
  let spent = 0;
  for (const [i, step] of sequence.entries()) {
    if (elapsed() > 2 * SETTINGS.budgetSeconds) {
      fw.truncated = `stopped at round ${step.round}: the run passed twice its ${SETTINGS.budgetSeconds} s budget`;
      progress.done(`[${fw.id}] ${fw.truncated}`);
      break;
    }
    const s = servers.get(step.id);
    const perStep = i === 0 ? stepCost(fw.targetSeconds) : spent / i;
    const eta = (sequence.length - i) * perStep + laterCost() + 2;
    say(`round ${step.round}/${fw.rounds} · ${step.id} (${i + 1}/${sequence.length})`, eta);
    const t0 = Date.now();
    fw.measurements.push(await measure(fw, step, s, maxSeconds));
    spent += (Date.now() - t0) / 1000;
  }

  await checkAll(fw, servers, 'final');
  for (const v of fw.variants) {
    const s = servers.get(v.id);
    if (s?.dead !== undefined && v.check?.ok !== false) v.check = { ok: false, reason: s.dead };
  }
  for (const s of servers.values()) await stop(s.child);
  fw.figures = frameworkFigures(fw.measurements, fw.variants.map((v) => v.id));
  progress.done(`[${fw.id}] done: ${fw.rounds} rounds × ${fw.requestsPerMeasurement.toLocaleString('en-US')} requests`);
  console.log(`\n${frameworkHeading(fw)}\n${textTable(frameworkRows(fw))}\n`);
}

async function measure(fw, step, s, maxSeconds) {
  const base = { round: step.round, variant: step.id, valid: false };
  if (s.dead !== undefined) return { ...base, problem: s.dead };
  try {
    // In trial runs a server that had sat idle while the others ran measured slower at first,
    // and bare, measured every other time, sits idle less than the variants. Every
    // measurement is therefore preceded by an unmeasured load on the same server.
    const rewarm = await load(s.port, Math.max(100, Math.round(fw.requestsPerMeasurement * REWARM)), maxSeconds);
    s.sentOk += rewarm.ok;
    await ask(s.child, { type: 'start' }, 'started', 5000);
    const r = await load(s.port, fw.requestsPerMeasurement, maxSeconds);
    const cpu = await ask(s.child, { type: 'stop' }, 'stopped', 5000);
    s.sentOk += r.ok;
    const problems = [];
    if (r.errors > 0 || r.timeouts > 0) problems.push(`${r.errors} errors, ${r.timeouts} timeouts`);
    if (r.non2xx > 0) problems.push(`${r.non2xx} non-2xx responses`);
    if (cpu.served === 0) problems.push('no request served');
    if (r.timedOut) problems.push(`cut short at ${maxSeconds.toFixed(0)} s`);
    const cpuUs = cpu.user + cpu.system;
    return {
      ...base,
      valid: r.errors === 0 && r.timeouts === 0 && r.non2xx === 0 && cpu.served > 0,
      problem: problems.length > 0 ? problems.join('; ') : undefined,
      requests: r.ok + r.non2xx,
      served: cpu.served,
      cpuUserUs: cpu.user,
      cpuSystemUs: cpu.system,
      cpuPerRequest: cpuUs / cpu.served,
      seconds: r.seconds,
      rps: r.rps,
      latencyP50Ms: r.latencyP50,
      latencyP99Ms: r.latencyP99,
      serverCpuShare: cpuUs / 1e6 / r.seconds,
      loadCpuShare: r.loadCpuShare,
    };
  } catch (error) {
    s.dead = error.message.split('\n')[0];
    return { ...base, problem: s.dead };
  }
}

/**
 * Every server must have recorded the traffic it got: its `/metrics` count of `GET /users/:id`
 * (or, for bare and no-op, the requests its handler served) at least the 2xx answers sent.
 */
async function checkAll(fw, servers, when) {
  for (const v of fw.variants) {
    const s = servers.get(v.id);
    if (s === undefined || s.dead !== undefined) continue;
    progress.update(`[${fw.id}] checking ${v.id} (${when})`, undefined);
    let result;
    try {
      if (v.checkSpec === undefined) {
        const { served } = await ask(s.child, { type: 'served' }, 'served', 5000);
        result = { kind: 'served', recorded: served, expected: s.sentOk };
      } else {
        const scraped = await scrapeCount(s.port, v.checkSpec);
        result = { kind: 'metrics', metric: describe(v.checkSpec), expected: s.sentOk, ...scraped };
      }
    } catch (error) {
      result = { error: error.message };
    }
    result.ok = result.error === undefined && result.recorded >= result.expected;
    if (!result.ok) {
      result.reason = result.error ?? `${when}: ${result.metric ?? 'served'} = ${result.recorded} < ${result.expected} sent`;
    }
    result.when = when;
    // A failure sticks; otherwise the latest check is kept.
    if (v.check?.ok !== false) v.check = result;
  }
}

// ── Report ──────────────────────────────────────────────────────────────────────────────────
const targets = evaluateTargets(runnable.filter((f) => f.figures !== undefined), exposition);
const results = {
  startedAt: new Date(startedAt).toISOString(),
  finishedAt: new Date().toISOString(),
  seconds: Math.round(elapsed()),
  command: commandLine(),
  settings: SETTINGS,
  machine: machine(),
  versions: packageVersions(frameworks),
  frameworks,
  exposition,
  targets,
};

if (exposition.length > 0) console.log(`/metrics serialization and heap\n${textTable(expositionRows(exposition))}\n`);
if (targets.length > 0) console.log(`Targets (issue 3), this run's medians:\n${targets.map((t) => `  ${targetLine(t)}`).join('\n')}\n`);

mkdirSync(`${ROOT}bench/results`, { recursive: true });
writeFileSync(`${ROOT}bench/results/latest.json`, `${JSON.stringify(results, null, 2)}\n`);
console.log(`raw results: bench/results/latest.json`);
if (!args['no-docs']) {
  writeDocs(`${ROOT}docs/benchmarks.md`, results);
  console.log('table: docs/benchmarks.md');
}
console.log(`total ${Math.round(elapsed())} s`);
