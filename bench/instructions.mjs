// `npm run bench -- --instructions`: instructions per request, counted by valgrind's callgrind,
// for each framework's bare server, no-op hook, promwire and prom-client floor. The machine's
// load changes CPU time but not the instructions a request executes, so these figures stay put
// on a busy machine where CPU µs swing by a third. See docs/benchmarks.md.
//
// Per server: `bench/server.mjs` runs under `valgrind --tool=callgrind` with instrumentation
// off; a load from this process (outside valgrind) sends N1 requests over one kept-alive
// connection; counting is switched on (`callgrind_control --instr=on`), the counter read
// (`--dump`), N2 − N1 more requests sent on the same connection, the counter read again.
// The second reading is Ir(N2) − Ir(N1); ÷ (N2 − N1) it is instructions per request, with
// start-up, JIT warm-up and connection set-up outside the window.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { buildPackages } from './lib/build.mjs';
import { FRAMEWORKS, ROOT, loadFramework, unavailable, versionOf } from './lib/frameworks.mjs';
import { machine, packageVersions, sources } from './lib/machine.mjs';
import { ask, nextMessage, stop } from './lib/processes.mjs';
import { describe, scrapeCount } from './lib/scrape.mjs';
import { callgrindMissing, dump, instrument, spawnUnderCallgrind, valgrindVersion } from './lib/callgrind.mjs';
import { SequentialLoad } from './lib/sequential-load.mjs';
import { gcInstructions, readDump } from './lib/callgrind-dump.mjs';
import { instructionFigures, instructionRows, instructionTargets } from './lib/instruction-report.mjs';
import { textTable, targetLine } from './lib/report.mjs';
import { writeInstructionDocs } from './lib/docs.mjs';
import { Progress } from './lib/progress.mjs';

/**
 * promwire counted without default metrics (see `promwireId` in lib/instruction-report.mjs);
 * `--variant promwire` adds it with them.
 */
export const DEFAULT_VARIANTS = ['bare', 'noop', 'promwire-no-defaults', 'floor'];
/**
 * Under valgrind a request takes some fifty times longer in wall time, and longer still when
 * the machine is busy, and V8 sizes its heap from rates per millisecond: at a low allocation
 * rate it shrinks the new space (more scavenges), the memory reducer starts full GCs, old-space
 * growth follows measured GC and mutator speeds, background threads run on their own clock.
 * At V8's defaults Fastify bare counted 61.1k instructions/request with an 11 s window and
 * 64.7k with a 65 s one. These flags fix the new space at V8's 64-bit maximum (16 MB per
 * semi-space), old-space growth at 100 % (what NestJS's full-GC cost per request matched at
 * the defaults), and keep all work on the main thread: 60.05k and 60.01k with 71 s and 61 s
 * windows, 60.6k with a 193 s one (Node's once-a-second timers).
 */
export const DEFAULT_NODE_FLAGS = [
  '--single-threaded', '--no-memory-reducer', '--min-semi-space-size=16', '--max-semi-space-size=16', '--heap-growing-percent=100',
];
const SETTLED_N1 = 10000;

export const USAGE = `usage: npm run bench -- --instructions [options]   (or node bench/instructions.mjs [options])
  Instructions per request under valgrind's callgrind: N1 requests warm the server up, the
  counter runs over the next N1 (N2 = 2 × N1). About 15 minutes for all four frameworks.
  --requests <n>        N1, requests before the counted window; default ${SETTLED_N1.toLocaleString('en-US')} (counts still drift below it)
  --quick               N1 = 2,000: checks the set-up in a few minutes, figures not settled
  --framework <id>      ${FRAMEWORKS.join(', ')} (repeatable, or comma-separated); default: all built
  --variant <id>        variants to count (repeatable, or comma-separated; 'all' for every one,
                        peers included); default: ${DEFAULT_VARIANTS.join(', ')}
  --repeat <n>          count every variant n times (repeatability); default 1
  --jobs <n>            servers under valgrind at once; default: the number of CPUs, at most 2
  --node-flags=<flags>  the server's node flags, space-separated ('' for none); default '${DEFAULT_NODE_FLAGS.join(' ')}'
                        (a fixed V8 heap schedule, no background threads: see docs/benchmarks.md)
  --no-build            do not rebuild stale packages first
  --no-docs             do not rewrite the instruction section of docs/benchmarks.md
  --report <file>       count nothing: tables, targets and docs section from a saved results file
                        (bench/results/instructions-latest.json)`;

/** Cost of one framework's server relative to Fastify's, to start the longest jobs first. */
const WEIGHT = { fastify: 1, koa: 1.5, express: 5, nestjs: 6 };

export async function main(argv) {
  const { values: args } = parseArgs({
    args: argv,
    options: {
      requests: { type: 'string' },
      quick: { type: 'boolean', default: false },
      framework: { type: 'string', multiple: true },
      variant: { type: 'string', multiple: true },
      repeat: { type: 'string' },
      jobs: { type: 'string' },
      'node-flags': { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      'no-docs': { type: 'boolean', default: false },
      report: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  if (args.report !== undefined) {
    const file = resolve(args.report);
    return report(JSON.parse(readFileSync(file, 'utf8')), { docs: !args['no-docs'], file });
  }
  const positive = (name, fallback) => {
    if (args[name] === undefined) return fallback;
    const n = Number(args[name]);
    if (!Number.isInteger(n) || n <= 0) {
      console.error(`--${name} must be a positive integer\n${USAGE}`);
      process.exit(2);
    }
    return n;
  };
  const n1 = positive('requests', args.quick ? 2000 : SETTLED_N1);
  const settings = {
    n1,
    n2: 2 * n1,
    repeat: positive('repeat', 1),
    jobs: positive('jobs', Math.min(2, cpus().length)),
    nodeFlags: args['node-flags'] === undefined ? DEFAULT_NODE_FLAGS : args['node-flags'].split(/\s+/).filter(Boolean),
    connections: 1,
    valgrind: valgrindVersion(),
  };
  const missing = callgrindMissing();
  if (missing !== undefined) {
    console.error(`instruction counts need valgrind: ${missing}`);
    return 1;
  }

  const list = (values) => values?.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  const selected = list(args.framework) ?? FRAMEWORKS;
  for (const id of selected) {
    if (!FRAMEWORKS.includes(id)) {
      console.error(`unknown framework '${id}' (known: ${FRAMEWORKS.join(', ')})`);
      return 2;
    }
  }
  const wanted = list(args.variant) ?? DEFAULT_VARIANTS;
  if (!args['no-build']) buildPackages(['core', ...selected]);

  const startedAt = Date.now();
  // What is measured is what is built now: note the sources before anything else changes them.
  const measured = sources();
  const elapsed = () => (Date.now() - startedAt) / 1000;
  const frameworks = [];
  for (const id of selected) {
    const { framework, variants: all } = await loadFramework(id);
    const variants = all.filter((v) => v.id === 'bare' || wanted.includes('all') || wanted.includes(v.id));
    for (const v of wanted) {
      if (v !== 'all' && !all.some((x) => x.id === v)) console.log(`${framework.title} has no variant '${v}'`);
    }
    frameworks.push({
      ...framework,
      version: versionOf(framework.frameworkPackage),
      skipped: unavailable(id, framework),
      variants: variants.map((v) => ({
        id: v.id, kind: v.kind, package: v.package, version: v.package ? versionOf(v.package) : undefined,
        note: v.note, checkSpec: v.check, runs: [],
      })),
    });
  }
  for (const f of frameworks) if (f.skipped !== undefined) console.log(`skipping ${f.title}: ${f.skipped}`);
  const runnable = frameworks.filter((f) => f.skipped === undefined);

  const stamp = new Date(startedAt).toISOString().replace(/[:.]/g, '-');
  const dir = `${ROOT}bench/results/callgrind-${stamp}`;
  mkdirSync(dir, { recursive: true });

  const jobs = [];
  for (let run = 1; run <= settings.repeat; run++) {
    for (const fw of runnable) for (const v of fw.variants) jobs.push({ fw, v, run });
  }
  // Longest first, so the two workers finish together; repeats of a variant stay apart.
  jobs.sort((a, b) => a.run - b.run || WEIGHT[b.fw.id] - WEIGHT[a.fw.id]);
  console.log(
    `promwire instruction counts: ${runnable.map((f) => f.title).join(', ') || 'no framework'}; ` +
      `${jobs.length} servers under callgrind, ${settings.jobs} at a time; N1 = ${n1.toLocaleString('en-US')}, N2 = ${settings.n2.toLocaleString('en-US')}`,
  );

  const children = new Set();
  const queue = [...jobs];
  process.on('SIGINT', async () => {
    console.error('\ninterrupted: stopping the servers under valgrind');
    queue.length = 0; // no worker starts another server
    await Promise.all([...children].map((c) => stop(c, 1000)));
    process.exit(130);
  });

  const progress = new Progress();
  const active = new Map();
  let done = 0;
  const show = () => {
    if (active.size === 0) return;
    const now = [...active.entries()].map(([k, s]) => `${k} ${s}`).join(' · ');
    progress.update(`${done}/${jobs.length} done · ${now}`, undefined);
  };
  async function worker() {
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
      const key = `${job.fw.id}/${job.v.id}${settings.repeat > 1 ? `#${job.run}` : ''}`;
      const status = (s) => {
        active.set(key, s);
        show();
      };
      const result = await countOne(job, settings, dir, status, children);
      active.delete(key);
      done++;
      job.v.runs.push(result);
      const what = result.error !== undefined
        ? `FAILED: ${result.error}`
        : `${Math.round(result.perRequest).toLocaleString('en-US')} instructions/request` +
          ` (window ${result.windowSeconds.toFixed(0)} s, total ${result.seconds.toFixed(0)} s` +
          `${result.cpuSeconds === undefined ? '' : `, ${result.cpuSeconds.toFixed(0)} s of CPU`})` +
          `${result.check?.ok === false ? `; /metrics check FAILED: ${result.check.reason}` : ''}`;
      progress.done(`${key}: ${what}`);
      show();
    }
  }
  await Promise.all(Array.from({ length: settings.jobs }, worker));
  const cpuTotal = jobs.reduce((sum, j) => sum + (j.v.runs.find((r) => r.run === j.run)?.cpuSeconds ?? 0), 0);
  progress.done(
    `all servers counted in ${elapsed().toFixed(0)} s; the servers used ${cpuTotal.toFixed(0)} CPU-seconds ` +
      `(with ${settings.jobs} idle CPUs about ${(cpuTotal / settings.jobs).toFixed(0)} s)`,
  );

  const results = {
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date().toISOString(),
    seconds: Math.round(elapsed()),
    serverCpuSeconds: Math.round(cpuTotal),
    command: commandLine(argv),
    settings,
    machine: machine(),
    versions: packageVersions(frameworks),
    sources: measured,
    frameworks,
    dumps: dir.replace(ROOT, ''),
  };
  return report(results, { docs: !args['no-docs'], file: `${ROOT}bench/results/instructions-latest.json` });
}

/**
 * Tables, targets, the results file and the docs section of `results` (a run just finished,
 * or one read back with `--report`). Runs without a GC share get it from their dump.
 */
function report(results, { docs, file }) {
  const runnable = results.frameworks.filter((f) => f.skipped === undefined);
  for (const fw of runnable) {
    for (const v of fw.variants) {
      v.runs.sort((a, b) => a.run - b.run);
      for (const r of v.runs) {
        if (r.gcPerRequest !== undefined || r.pid === undefined || r.irWindow === undefined) continue;
        const dumpFile = `${ROOT}${results.dumps}/${fw.id}-${v.id.replace(/[^a-z0-9-]/gi, '_')}-${r.run}.${r.pid}.2`;
        if (existsSync(dumpFile)) r.gcPerRequest = gcInstructions(readDump(dumpFile)) / (r.n2 - r.n1);
      }
    }
    fw.figures = instructionFigures(fw);
    console.log(`\n${fw.title} ${fw.version}\n${textTable(instructionRows(fw))}`);
  }
  results.targets = instructionTargets(runnable);
  const t = results.targets;
  if (t.length > 0) console.log(`\nTargets (issue 10, instructions):\n${t.map((x) => `  ${targetLine(x)}`).join('\n')}`);
  mkdirSync(`${ROOT}bench/results`, { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nraw results: ${file.replace(ROOT, '')}; callgrind dumps: ${results.dumps}/`);
  if (docs) {
    writeInstructionDocs(`${ROOT}docs/benchmarks.md`, results);
    console.log('table: docs/benchmarks.md, section "Instruction counts"');
  }
  console.log(`total ${results.seconds} s`);
  const failed = runnable.some((fw) => fw.variants.some((v) => v.runs.some((r) => r.error !== undefined || r.check?.ok === false)));
  return failed ? 1 : 0;
}

/** How this run was started, as the user typed it. */
function commandLine(argv) {
  const rest = argv.join(' ');
  if (process.env.npm_lifecycle_event === 'bench') return `npm run bench -- --instructions${rest ? ` ${rest}` : ''}`;
  return `node bench/instructions.mjs ${rest}`.trim();
}

/**
 * One server under callgrind: start, N1 requests uncounted, counter on, N2 − N1 requests
 * counted, then the traffic check. Answers the run's record; failures become `error`.
 */
async function countOne({ fw, v, run }, settings, dir, status, children) {
  const { n1, n2 } = settings;
  const record = { run, n1, n2 };
  const t0 = Date.now();
  const base = `${dir}/${fw.id}-${v.id.replace(/[^a-z0-9-]/gi, '_')}-${run}`;
  status('starting under valgrind');
  const child = spawnUnderCallgrind(fw.id, v.id, base, { nodeArgs: settings.nodeFlags });
  children.add(child);
  child.exited.then(() => children.delete(child));
  let load;
  try {
    const { port } = await nextMessage(child, 'ready', 600000);
    record.pid = child.pid;
    record.startSeconds = (Date.now() - t0) / 1000;
    load = new SequentialLoad(port);
    status(`${n1.toLocaleString('en-US')} requests, uncounted`);
    const warm = await load.run(n1);
    record.warmSeconds = warm.seconds;
    await instrument(child.pid, true);
    record.irAtSwitch = await dump(child.pid, base, 1, `after ${n1} requests`);
    status(`${(n2 - n1).toLocaleString('en-US')} requests, counted`);
    const counted = await load.run(n2 - n1);
    record.irWindow = await dump(child.pid, base, 2, `after ${n2} requests`);
    record.windowSeconds = counted.seconds;
    record.perRequest = record.irWindow / (n2 - n1);
    record.gcPerRequest = gcInstructions(readDump(`${base}.${child.pid}.2`)) / (n2 - n1);
    record.newConnections = counted.newConnections;
    // The rest is not counted: run it at uninstrumented speed.
    await instrument(child.pid, false);
    const problems = [];
    if (warm.ok !== n1 || counted.ok !== n2 - n1) problems.push(`${warm.non2xx + counted.non2xx} non-2xx answers`);
    if (counted.newConnections > 0) problems.push(`the server closed the connection ${counted.newConnections} times in the window`);
    status('checking');
    const { served } = await ask(child, { type: 'served' }, 'served', 120000);
    record.served = served;
    if (served !== n2) problems.push(`the handler served ${served} requests, not ${n2}`);
    if (problems.length > 0) record.problem = problems.join('; ');
    record.check = await check(v, port, served, n2);
  } catch (error) {
    record.error = `${error.message.split('\n')[0]}${child.stderrTail ? ` (${child.stderrTail.trim().split('\n').pop()})` : ''}`;
  } finally {
    load?.close();
    record.cpuSeconds = cpuSecondsOf(child.pid);
    await stop(child, 60000);
    record.seconds = (Date.now() - t0) / 1000;
  }
  return record;
}

/**
 * CPU seconds (user + system) process `pid` has used so far, from /proc (Linux): what the
 * server under valgrind cost, whatever share of the machine it got. Undefined elsewhere.
 */
function cpuSecondsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime, fields 14 and 15 of stat(5), in clock ticks of 1/100 s on Linux.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * The traffic check of the CPU-time run: the variant's `/metrics` must count at least the
 * requests it was sent (bare and no-op: the handler's own count).
 */
async function check(v, port, served, sent) {
  if (v.checkSpec === undefined) {
    const ok = served >= sent;
    return { kind: 'served', recorded: served, expected: sent, ok, reason: ok ? undefined : `served ${served} < ${sent} sent` };
  }
  const scraped = await scrapeCount(port, v.checkSpec, '/metrics', 120000);
  const ok = scraped.error === undefined && scraped.recorded >= sent;
  return {
    kind: 'metrics', metric: describe(v.checkSpec), expected: sent, ...scraped, ok,
    reason: ok ? undefined : scraped.error ?? `${describe(v.checkSpec)} = ${scraped.recorded} < ${sent} sent`,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
