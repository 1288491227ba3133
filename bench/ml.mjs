// What @promwire/ml costs per inference: CPU µs per `session.run` (onnxruntime-node) and per
// `predict` (TensorFlow.js, CPU backend), instrumented vs bare, on the example's iris classifier
// and on a trivial model, with the same inputs; and, with valgrind installed, the instructions
// per call of each (deterministic, so they hold on a busy machine). Writes docs/benchmarks-ml.md
// with --write.
//
//   node bench/ml.mjs [--rounds=15] [--calls=4000] [--instruction-rounds=5] [--only=onnx,tfjs-iris] [--ml=<dir>] [--no-instructions] [--write]
//   node bench/ml.mjs --help
//   node bench/ml.mjs --bytes | --profile=onnx-iris-1   (allocation per call; instructions by function)
//
// CPU: one process, one model object per case, reused by both variants. A measurement is
// `calls` sequential calls (each awaited), timed with process.cpuUsage() (user + system, every
// thread; onnxruntime-node gets one intra-op thread so no idle pool spins into the figures).
// Variants alternate, bare first and last (bare, instrumented, bare, …); the overhead of a
// measurement is its CPU µs per call minus the mean of the two bare measurements around it;
// tables give the median over rounds and the (min … max).
// Instructions: each case runs in a process of its own under callgrind, counting off; per phase
// it warms up uncounted, then counting is on for a fixed number of calls and the main thread's
// count is read. Phases alternate bare and instrumented in that one process, paired as above.
// Each count is also split into V8's garbage collection and the rest: a 6000-call window holds a
// few scavenges, and one scavenge more or less moves a phase's figure by several hundred
// instructions per call, so the overhead is also given without it.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { getHeapSpaceStatistics } from 'node:v8';
import { join, resolve } from 'node:path';
import { summary } from './lib/stats.mjs';
import { ask } from './lib/processes.mjs';
import { gcInstructions, perfMap, readDump } from './lib/callgrind-dump.mjs';

const ROOT = join(import.meta.dirname, '..');
const require = createRequire(join(ROOT, 'package.json'));
const option = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const ROUNDS = Number(option('rounds') ?? 15);
const CALLS = Number(option('calls') ?? 4000);
const ONLY = option('only')?.split(',');
const WRITE = process.argv.includes('--write');
const CHILD = option('child'); // a case id: the process measured under callgrind
const INSTRUCTION_ROUNDS = Number(option('instruction-rounds') ?? 5);
const PROFILE = option('profile');
/** Where @promwire/ml is loaded from: the package (its dist), or a directory holding another build of it. */
const ML = option('ml') === undefined ? '@promwire/ml' : resolve(option('ml'));

const USAGE = `usage: node bench/ml.mjs [options]
  CPU µs and instructions per inference, bare vs instrumented, on the example's iris model and a
  trivial one (onnxruntime-node session.run, TF.js predict). Build @promwire/ml first.
  --rounds=<n>             CPU rounds (bare, instrumented, …, bare); default 15
  --calls=<n>              calls per CPU measurement (after a warm-up of a quarter); default 4000
  --instruction-rounds=<n> instrumented phases under callgrind per case; default 5
  --only=<prefix,…>        cases whose id starts so: onnx-iris-1, onnx-iris-32, onnx-add_one-1,
                           tfjs-iris-1, tfjs-iris-32, tfjs-identity-1
  --ml=<dir>               load @promwire/ml from <dir>, a copy of another build's dist, to compare
                           builds (a copy outside the repo needs NODE_PATH=<repo>/node_modules)
  --no-instructions        CPU only (no valgrind)
  --bytes                  only the bytes each call allocates, bare and instrumented (V8's new space)
  --profile=<case>         only where one case's instructions go: the functions whose own count
                           differs between an instrumented phase and the bare one before it
                           (the second such pair; callgrind, V8's perf map)
  --write                  rewrite the ML sections of docs/benchmarks-ml.md (the GenAI section is kept)`;

if (process.argv.includes('--help')) {
  console.log(USAGE);
  process.exit(0);
}
if (!existsSync(join(ROOT, 'packages/ml/dist/index.js'))) {
  console.error('bench/ml.mjs: build @promwire/ml first (npm run build)');
  process.exit(1);
}

const FLOWERS = [[5.1, 3.5, 1.4, 0.2], [7.0, 3.2, 4.7, 1.4], [6.3, 3.3, 6.0, 2.5]];
const rows = (n) => Array.from({ length: n }, (_, i) => FLOWERS[i % 3]);
// The inference runs on the calling thread, and no idle pool thread spins.
const SESSION_OPTIONS = {
  intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential',
  extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
};

/** The cases: `build()` loads the runtime and the model once and answers one call and the module. */
const CASES = [
  ...[['iris', 'iris (example)', 'features', 1], ['iris', 'iris (example)', 'features', 32], ['add_one', 'add one (trivial)', 'x', 1]].map(
    ([name, model, input, batch]) => ({
      id: `onnx-${name}-${batch}`, runtime: 'onnxruntime-node', model, call: 'session.run', batch, async: true,
      async build() {
        const ort = require('onnxruntime-node');
        const { instrumentOnnxRuntime } = require(ML);
        const models = require('./examples/ml-inference/model/iris.js');
        const session = await ort.InferenceSession.create(name === 'iris' ? models.irisOnnx() : models.addOneOnnx(), { ...SESSION_OPTIONS, logId: name });
        const feeds = { [input]: new ort.Tensor('float32', Float32Array.from(rows(batch).flat()), [batch, 4]) };
        return { run: () => session.run(feeds), instrument: (options) => instrumentOnnxRuntime(ort, options) };
      },
    }),
  ),
  ...[['iris', 'iris (example)', 1], ['iris', 'iris (example)', 32], ['identity', 'identity (trivial)', 1]].map(([name, model, batch]) => ({
    id: `tfjs-${name}-${batch}`, runtime: 'tfjs', model, call: 'model.predict', batch, async: false,
    async build() {
      const tf = require('@tensorflow/tfjs');
      const { instrumentTfjs } = require(ML);
      const { irisTfjs } = require('./examples/ml-inference/model/iris.js');
      await tf.setBackend('cpu');
      const layers = name === 'iris'
        ? irisTfjs(tf)
        : tf.sequential({ name: 'identity', layers: [tf.layers.activation({ activation: 'linear', inputShape: [4] })] });
      const x = tf.tensor2d(rows(batch), [batch, 4]);
      return { run: () => layers.predict(x).dispose(), instrument: (options) => instrumentTfjs(tf, options) };
    },
  })),
].filter((c) => ONLY === undefined || ONLY.some((o) => c.id.startsWith(o)));

async function calls(c, built, n) {
  if (c.async) for (let i = 0; i < n; i++) await built.run();
  else for (let i = 0; i < n; i++) built.run();
}

/**
 * Instrumented figures against bare ones measured around them (bare[i], instrumented[i],
 * bare[i + 1], …): each instrumented figure minus the mean of its two neighbours.
 */
function paired(bare, instrumented) {
  const around = instrumented.map((_, i) => (bare[i] + bare[i + 1]) / 2);
  return {
    bare: summary(bare),
    instrumented: summary(instrumented),
    overhead: summary(instrumented.map((v, i) => v - around[i])),
    percent: summary(instrumented.map((v, i) => (100 * (v - around[i])) / around[i])),
  };
}

/** CPU µs per call over `CALLS` calls, after a warm-up of a quarter of that. */
async function measure(c, built) {
  await calls(c, built, CALLS >> 2);
  const before = process.cpuUsage();
  await calls(c, built, CALLS);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / CALLS;
}

async function cpuFigures(c, registry) {
  const built = await c.build();
  const sequence = [];
  for (let round = 0; round < ROUNDS; round++) {
    sequence.push(await measure(c, built));
    const unpatch = built.instrument({ registry });
    sequence.push(await measure(c, built));
    unpatch();
  }
  sequence.push(await measure(c, built));
  return paired(sequence.filter((_, i) => i % 2 === 0), sequence.filter((_, i) => i % 2 === 1));
}

/**
 * Bytes allocated per call: the growth of V8's new space over `n` calls, over windows in which
 * no scavenge ran (the space did not shrink); the median of 25 such windows.
 */
async function bytesPerCall(c, built, n = 200) {
  const used = () => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_used_size;
  await calls(c, built, 2000);
  const samples = [];
  for (let k = 0; k < 200 && samples.length < 25; k++) {
    const before = used();
    await calls(c, built, n);
    const after = used();
    if (after > before) samples.push((after - before) / n);
  }
  return summary(samples).median;
}

async function bytesFigures(c) {
  const built = await c.build();
  const bare = await bytesPerCall(c, built);
  const unpatch = built.instrument({ registry: new (require('prom-client').Registry)() });
  const instrumented = await bytesPerCall(c, built);
  unpatch();
  return { bare, instrumented };
}

/**
 * Instructions per call, bare and instrumented, counted by callgrind in one process: the case
 * runs under callgrind with counting off; per phase, the child warms up uncounted, counting is
 * switched on for `n` calls and the main thread's count is dumped. Phases alternate bare and
 * instrumented, bare first and last, as in the CPU mode. Undefined without valgrind.
 */
async function instructionFigures(c) {
  if (spawnSync('valgrind', ['--version']).error !== undefined) return undefined;
  const n = c.async ? 6000 : 1000;
  const dir = mkdtempSync(join(tmpdir(), 'promwire-ml-callgrind-'));
  const base = join(dir, 'callgrind');
  const child = spawn('valgrind', [
    '--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${base}.%p`, '--separate-threads=yes',
    '--dump-line=no', '--dump-instr=no', '--smc-check=all-non-file', '--vgdb=yes',
    process.execPath, ...(PROFILE === undefined ? [] : ['--perf-basic-prof', '--no-logfile-per-isolate', `--logfile=${join(dir, 'v8.log')}`]), join(import.meta.dirname, 'ml.mjs'), `--child=${c.id}`, ...(option('ml') === undefined ? [] : [`--ml=${option('ml')}`]),
  ], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], cwd: process.cwd() });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const callgrind = (...args) => new Promise((resolve, reject) => {
    execFile('callgrind_control', [...args, String(child.pid)], { timeout: 300000 }, (error, out) => (error ? reject(error) : resolve(out)));
  });
  // A phase under callgrind runs about 50 times slower than natively: the deadline is a guard.
  const answer = (message) => ask(child, message, message.type, 1_800_000).catch((error) => {
    throw new Error(`callgrind child of ${c.id}: ${error.message}\n${stderr}`);
  });
  try {
    await answer({ type: 'hello' });
    let part = 0;
    const phase = async (variant) => {
      await answer({ type: 'prepare', variant, warmUp: n >> 1 });
      await callgrind('--instr=on');
      await answer({ type: 'go', calls: n });
      await callgrind(`--dump=${variant}`);
      await callgrind('--instr=off');
      part++;
      // The main thread's file (-01): the wrappers and, with one intra-op thread, the inference.
      const file = `${base}.${child.pid}.${part}-01`;
      for (let i = 0; i < 100 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 100));
      const total = Number(/^totals:\s+(\d+)/m.exec(readFileSync(file, 'utf8'))[1]);
      // callgrind's inclusive costs go wrong on some stacks (TF.js phases read negative); such a phase has no GC split
      const gc = gcInstructions(readDump(file));
      return { all: total / n, gc: gc >= 0 && gc <= total ? gc / n : Number.NaN, file };
    };
    const bare = [await phase('bare')];
    const instrumented = [];
    if (PROFILE !== undefined) {
      // The second pair: the runtime's own code is as optimized in both phases by then.
      for (let i = 0; i < 2; i++) {
        instrumented.push(await phase('instrumented'));
        bare.push(await phase('bare'));
      }
      return profile(bare[1].file, instrumented[1].file, `/tmp/perf-${child.pid}.map`, n);
    }
    for (let round = 0; round < INSTRUCTION_ROUNDS; round++) {
      instrumented.push(await phase('instrumented'));
      bare.push(await phase('bare'));
    }
    const pairedBy = (of) => paired(bare.map(of), instrumented.map(of));
    return { ...pairedBy((p) => p.all), withoutGc: pairedBy((p) => p.all - p.gc), gc: pairedBy((p) => p.gc) };
  } finally {
    child.kill('SIGKILL'); // our own child, by its handle
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Prints the functions whose own instructions per call differ between a bare and an instrumented dump. */
function profile(bareFile, instrumentedFile, map, n) {
  const lookup = perfMap(map);
  const bare = readDump(bareFile, lookup);
  const instrumented = readDump(instrumentedFile, lookup);
  rmSync(map, { force: true });
  const diff = new Map(instrumented.self);
  for (const [name, ir] of bare.self) diff.set(name, (diff.get(name) ?? 0) - ir);
  const per = (ir) => (ir / n).toFixed(0).padStart(7);
  console.log(`instructions per call: bare ${per(bare.total).trim()} (GC ${per(gcInstructions(bare)).trim()}), instrumented ${per(instrumented.total).trim()} (GC ${per(gcInstructions(instrumented)).trim()})`);
  console.log('own instructions per call, instrumented − bare, by function (JIT code named from the perf map; TurboFan inlines callees into their callers):');
  for (const [name, ir] of [...diff].filter(([, ir]) => Math.abs(ir / n) >= 5).sort((a, b) => b[1] - a[1])) {
    console.log(`${per(ir)}  ${name.replace(`file://${ROOT}/`, '').replace(`${ROOT}/`, '').slice(0, 140)}`);
  }
  console.log(`${per(instrumented.total - bare.total)}  in all`);
  return undefined;
}

const fmt = (v, digits = 2) => (v === undefined ? '–' : v.toFixed(digits));
const range = (s, digits = 2) => `${fmt(s.median, digits)} (${fmt(s.min, digits)} … ${fmt(s.max, digits)})`;
const int = (v) => Math.round(v).toLocaleString('en-US');

function cpuTable(results) {
  const lines = [
    '| runtime | model | call | batch | bare CPU µs/call | instrumented CPU µs/call | overhead µs/call | overhead % |',
    '|---|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    lines.push(`| ${r.runtime} | ${r.model} | \`${r.call}\` | ${r.batch} | ${fmt(r.cpu.bare.median)} | ${fmt(r.cpu.instrumented.median)} | ${range(r.cpu.overhead)} | ${range(r.cpu.percent)} |`);
  }
  return lines.join('\n');
}

function instructionTable(results) {
  const lines = [
    '| runtime | model | call | batch | bare instructions/call | instrumented | overhead | overhead % | overhead in µs at the bare call\'s rate | overhead without GC | without GC, % of bare\'s |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const i = r.instructions;
    if (i === undefined) continue;
    const w = i.withoutGc;
    lines.push(`| ${r.runtime} | ${r.model} | \`${r.call}\` | ${r.batch} | ${int(i.bare.median)} | ${int(i.instrumented.median)} | ${range(i.overhead, 0)} | ${range(i.percent)} | ${fmt(asMicroseconds(r))} | ${range(w.overhead, 0)} | ${range(w.percent)} |`);
  }
  return lines.join('\n');
}

/** The instruction overhead in µs, at the rate the bare call ran at (its CPU µs ÷ its instructions). */
function asMicroseconds(r) {
  return (r.instructions.overhead.median * r.cpu.bare.median) / r.instructions.bare.median;
}

function targets(results) {
  return results.map((r) => {
    const trivial = r.model.includes('trivial');
    const i = r.instructions;
    const cpu = trivial ? r.cpu.overhead.median : r.cpu.percent.median;
    const counted = i === undefined ? undefined : trivial ? asMicroseconds(r) : i.percent.median;
    const ok = (v) => (v === undefined ? '' : trivial ? (v < 1 ? '✓' : '✗') : v < 2 ? '✓' : '✗');
    const unit = trivial ? ' µs' : ' %';
    const goal = trivial ? '< 1 µs' : '< 2 % of the model\'s own time';
    const byCount = counted === undefined ? '' : `; by instruction count ${ok(counted)} ${fmt(counted)}${unit}`;
    return `- ${r.runtime}, ${r.model}, batch ${r.batch} (target ${goal}): CPU median ${ok(cpu)} ${fmt(cpu)}${unit}${byCount}`;
  }).join('\n');
}

function docs(results, seconds, load, clock) {
  const ort = require('onnxruntime-node');
  const tf = require('@tensorflow/tfjs');
  const versions = { node: process.versions.node, 'onnxruntime-node': ort.env.versions.node, '@tensorflow/tfjs': tf.version.tfjs };
  const valgrind = spawnSync('valgrind', ['--version'], { encoding: 'utf8' }).stdout?.trim();
  return `# Benchmarks: ML inference (@promwire/ml)

What \`instrumentOnnxRuntime\` and \`instrumentTfjs\` cost per inference, against the same runtime
unpatched, on the example's iris classifier (\`examples/ml-inference\`: 4 → 5 ReLU → 3 softmax)
and on a trivial model (ONNX: one \`Add\`; TF.js: a linear activation layer), with the same model
object and the same input tensors for both variants. Written by \`node bench/ml.mjs --write\`;
the HTTP benchmarks are in [benchmarks.md](benchmarks.md).

## How it measures

- **CPU**: one process; per case, rounds of bare, instrumented (\`instrument(module, { registry })\`,
  then \`unpatch()\`), …, bare. A measurement is ${CALLS} sequential calls (each \`session.run\`
  awaited; each \`predict\` output disposed, in both variants) after a warm-up of ${CALLS >> 2},
  timed with \`process.cpuUsage()\` (user + system, all threads); onnxruntime-node sessions get one
  intra-op and one inter-op thread, so no idle thread pool spins into the figures. **overhead** =
  instrumented CPU µs/call − the mean of the two bare measurements around it, per round;
  **overhead %** = that ÷ the same bare figure. Median over ${ROUNDS} rounds, (min … max).
- **Instructions** (${valgrind ?? 'valgrind not installed: not measured'}): each case in a process
  of its own under \`valgrind --tool=callgrind\`, counting off; per phase the process warms up
  uncounted, then counting is switched on for a fixed number of calls (6000 \`session.run\`,
  1000 \`predict\`) and the main thread's instructions are read (the wrappers and, with one
  intra-op thread, the inference run there; V8's and libuv's helper threads do not). Phases
  alternate bare and instrumented in the same process, bare first and last, ${INSTRUCTION_ROUNDS}
  instrumented phases; the overhead is paired as for CPU. Instruction counts barely move with the
  machine's load, where CPU times widen; the overhead-in-µs column converts the overhead to µs
  at the bare call's own instructions-per-µs rate. A 6000-call phase holds a few of V8's
  scavenges and one more or less moves it by several hundred instructions per call, so the last
  two columns give the overhead without the instructions spent in V8's garbage collector (the
  cost of the calls into it, from callgrind's call graph; a TF.js phase whose call graph reads
  a negative cost has no such figure).

## Latest run

- ${new Date().toISOString().replace('T', ' ').replace(/\..*/, ' UTC')}, \`node bench/ml.mjs --rounds=${ROUNDS} --calls=${CALLS} --write\` (${seconds} s)
- Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GB; load average at start ${load.map((l) => l.toFixed(2)).join(', ')}, at the end ${loadavg().map((l) => l.toFixed(2)).join(', ')}
- \`performance.now()\`: ${fmt(clock, 0)} ns of CPU per read (a loop of a million, median of 5)
- Versions: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}

### CPU time

${cpuTable(results)}

### Instructions

${instructionTable(results)}

### Targets

${targets(results)}

## Where the cost goes

Per call a wrapper does: one \`WeakMap\` lookup (model object → its series, resolved once per
model), the batch size read from the first input's shape, two \`performance.now()\` reads, an
in-flight increment and decrement, a bucket search over the 14 duration bounds and one over the
batch bounds (core's \`HistogramFamily\` keeps them as a \`Float64Array\`) with one increment and a sum
each: typed-array writes, no label objects, about 40 bytes allocated per synchronous \`predict\`
(\`node bench/ml.mjs --bytes\`: 33 to 45 over the three TF.js cases). An
asynchronous call (\`session.run\`, \`executeAsync\`) also pays one promise reaction (the wrapper's
\`then\`: the app's promise settles after the metrics are recorded, with the runtime's own result
or error) and the two closures it needs.

### One \`session.run\` on the iris model, by function

\`node bench/ml.mjs --profile=onnx-iris-1\`: bare and instrumented phases of 6000 calls in turn
in one process under callgrind (each after 3000 uncounted), Node with \`--perf-basic-prof\` so
that V8's JIT code is named; the own instructions of each function in the second instrumented
phase minus those in the bare phase before it, per call. TurboFan inlines small
functions into their callers, so the wrapper's JavaScript shows as two entries: the wrapper
(with the series lookup, the batch read, the in-flight increment and the first clock read) and
the fulfilment closure (with the recording and the second clock read). Grouped, from the run of
2026-12-01 04:53 UTC (the second bare/instrumented pair; Node 20.20.2):

| what | instructions per call |
|---|---:|
| the wrapper's JavaScript: \`inference\` (series lookup, batch read, in-flight, first clock read, the \`then\` with its two closures) | 420 |
| the wrapper's JavaScript: the fulfilment closure (second clock read, in-flight, the two bucket searches) | 324 |
| the app's promise: \`PerformPromiseThen\`, \`RunMicrotasks\`, \`PromiseFulfillReactionJob\`, \`FulfillPromise\`, \`ResolvePromise\`, \`EnqueueMicrotask\`, the call of the handler | 415 |
| the \`then\` lookup on the runtime's result when the app's promise is resolved with it (\`GetProperty\`) | 155 |
| the two clock reads in Node's code: the receiver checks (\`Object.prototype.hasOwnProperty\`, 108) and the reads (\`FastPerformanceNow\`, \`uv_hrtime\`, \`clock_gettime\`, 75) | 183 |
| the two closures' first calls (\`CompileLazy\`) | 62 |
| the series lookup (\`WeakMapGet\`, \`WeakMapLookupHashIndex\`) | 70 |
| the batch read's \`for…in\` (\`ForInEnumerate\`) | 26 |
| everything else: V8's collector, call builtins, JIT stubs, each under 5 per call or below zero | 159 |
| in all | 1,814 |

V8's collector counted 677 instructions per call in the bare phase and 965 in the instrumented
one (the cost of the calls into it). The same command with the build before the change below
(\`--ml=/tmp/ml-dist-before\`) gives 1,964 in all, of which 208 in \`Builtins_KeyedLoadIC\` and
392 in the fulfilment closure.

- **The app's promise** (V8's promise builtins: the \`then\`, the reaction job, the microtask
  run, the fulfilment): the wrapper hands the app a promise of its own, which settles after the
  recording. Resolving it with the runtime's result object makes V8 look that object up for a
  \`then\` property (\`GetProperty\` from \`ResolvePromise\`, the rule for any object a promise is
  resolved with), as it already does once for the runtime's own promise; that lookup alone is
  about 155 instructions.
- **The clock**: \`performance.now()\` on Node 20 is a fast C++ call (\`FastPerformanceNow\`,
  \`uv_hrtime\`, \`clock_gettime\`: about 35 instructions), but first checks its receiver
  (\`validateThisInternalField\`, one \`Object.prototype.hasOwnProperty\` call of 54 instructions).
  \`process.hrtime()\` and \`process.hrtime.bigint()\` cost more per read: 50 and 68 ns of CPU
  against 44 ns (a loop of 5,000,000 reads of each, this machine, Node 20.20.2).
- **Allocation**: the wrapper allocates about 300 bytes per \`session.run\` on top of the
  runtime's 2,370 (\`node bench/ml.mjs --bytes\`: bare 2,367, instrumented 2,670 on iris,
  batch 1, the same on the other ONNX cases). Variants of the wrapper measured the same way put
  about 30 on the call itself (recording synchronously, the runtime's promise returned), 95 on
  the app's promise and its reaction (a \`then\` with two shared handlers) and 175 on the two
  handler closures and the context they share. V8 collects them in scavenges: the
  without-GC columns above leave that share out.

### Before and after the bucket-search change

The duration and batch-size histograms were observed through core's \`HistogramFamily.observe\`,
whose loop over the bounds read the (frozen) bounds array through V8's generic keyed-load
builtin: \`Builtins_KeyedLoadIC\`, 208 instructions per \`session.run\` for the two observations
(the profile above, build before). \`MlMetrics\` first searched a \`Float64Array\` copy of the bounds and
wrote the family's counts and sum itself (commit 6f59045, the figures below); since commit 9b08e53
\`HistogramFamily.observe\` keeps its bounds as a \`Float64Array\` for every histogram and
\`MlMetrics\` calls it again (\`node bench/ml.mjs --profile=onnx-iris-1\`: 1,510 and 1,840
instructions over bare per call in two runs, no keyed-load builtin in the profile). Both builds measured back to back on 2026-12-01, 04:25–04:52 UTC, with
\`node bench/ml.mjs --rounds=21 --calls=5000\` (after, \`--write\`: the run above) and, for the build
before (commit 6538667's \`packages/ml/dist\`, copied to /tmp/ml-dist-before),
\`NODE_PATH=$PWD/node_modules node bench/ml.mjs --rounds=21 --calls=5000 --ml=/tmp/ml-dist-before\`;
load average 7.93, 8.03, 7.07 at the start of the first run, 7.68, 7.30, 7.37 between
them, 5.02, 5.47, 6.17 at the end. Instructions, overhead per call, median (min … max) over 5 paired phases:

| case | before | after | before, without GC | after, without GC |
|---|---:|---:|---:|---:|
| onnxruntime-node, iris (example), batch 1 | 2,145 (1,666 … 2,245) = 2.94 % | 1,803 (1,545 … 1,827) = 2.51 % | 1,823 (1,464 … 2,108) = 2.59 % | 1,596 (1,223 … 1,669) = 2.26 % |
| onnxruntime-node, iris (example), batch 32 | 2,553 (2,407 … 2,685) = 3.18 % | 1,832 (1,289 … 1,914) = 2.30 % | 2,465 (1,852 … 2,605) = 3.13 % | 1,672 (1,398 … 1,719) = 2.12 % |
| onnxruntime-node, add one (trivial), batch 1 | 1,970 (1,463 … 2,110) = 3.24 % | 1,753 (1,196 … 1,841) = 2.90 % | 1,819 (1,598 … 1,900) = 3.02 % | 1,564 (1,387 … 1,779) = 2.62 % |
| tfjs, iris (example), batch 1 | 3,126 (-28,364 … 29,557) = 1.01 % | 1,339 (-28,127 … 2,909) = 0.46 % | – | 1,707 (-28,715 … 2,328) = 0.60 % |
| tfjs, iris (example), batch 32 | 1,700 (-55,964 … 8,028) = 0.23 % | 1,083 (-36,545 … 20,736) = 0.15 % | 1,705 (-37,201 … 18,160) = 0.24 % | -515 (-27,744 … 5,524) = -0.07 % |
| tfjs, identity (trivial), batch 1 | 3,148 (1,366 … 14,614) = 4.34 % | 2,635 (1,177 … 13,978) = 3.48 % | – | 2,926 (1,794 … 3,568) = 4.16 % |

(–: a phase of that run read a negative GC cost; the run before had no guard against it. The
TF.js phases swing by tens of thousands of instructions either way, bare ones included, so
their medians say little about a change of a few hundred.)

The CPU medians of the same runs (onnxruntime-node, iris, batch 1: 1.57 (-0.62 … 4.85) µs = 11.47 % before, 0.64 (0.16 … 1.65) µs = 6.51 % after) move with the
machine's load as much as with the change; the counts are the comparison.

### What stays above the 2 % target on \`session.run\`

The target is not met on onnxruntime-node: on the iris model the wrapper costs 2.51 % (1,803 instructions)
of the run's instructions (median; without GC 2.26 %), where 2 % is about 1,440 of
its 72,000. Of the wrapper's 1,814 in the profile, the app's own promise takes 570 (reaction,
microtask, fulfilment and the \`then\` lookup on the result), the two clock reads 183 in Node's
code, the two closures 62 in \`CompileLazy\` (each new closure's first call goes through it)
besides their allocation, the series lookup 70, and the wrapper's own JavaScript 744 (with what
TurboFan inlined into it: lookup, batch read, closures, recording); the rest, 159, is V8's
collector (677 instructions per call in that bare phase, 965 in the instrumented one, for the
300 bytes) less small entries below zero. The promise and the clock are the floor of a wrapper that times an asynchronous
call and settles the app's promise after recording it; the target would need the runtime's run
to be about 90,000 instructions, or the app's promise to be the runtime's own.

Tried and not adopted (the first two on 2026-12-01 with the bucket-search change, counted the
way \`--profile\` counts, and with \`--bytes\`; the third on 2026-11-30 and 2026-12-01 with
\`node bench/ml.mjs --only=onnx-iris-1 --rounds=3 --calls=2000\`):

| wrapper | instrumented − bare, instructions/call | bytes allocated per call by the wrapper |
|---|---:|---:|
| as shipped: \`pending.then(record-and-return, record-and-rethrow)\` | 1,657 (one pair of phases, 6000 calls of warm-up each; 1,814 in the profile above) | 301 |
| an \`async\` function awaiting the runtime's promise, no closures | 1,428 (one pair of phases, 6000 calls of warm-up each); 1,960 (1,386 … 2,058) over 7 paired phases, against 1,820 (1,493 … 1,919) as shipped in a run beside it | 509 |
| the runtime's own promise returned, one \`.then(record, record)\` attached to it (earlier build) | 2,062 (1,596 … 2,074), against 2,230 as shipped then | – |

- The \`async\` function saves the closures' \`CompileLazy\` and some of the reaction, and allocates
  its generator object, its promise and the await's closures instead: 208 bytes more per call.
  The collector's count grew by 0.6 to 1.1 instructions per byte the wrapper allocates in the
  runs above (272, 178 and 184 more per call for 303 bytes after, 330 before, on iris batch 1
  and 32 and add one), so those bytes cost about 125 to 230 instructions, against the 229 fewer
  in one pair of phases, whose own spread is as wide: no gain shown. Counted again over 7
  paired phases (2026-12-01, \`NODE_PATH=$PWD/node_modules node bench/ml.mjs --only=onnx-iris-1
  --rounds=1 --calls=1000 --instruction-rounds=7 --ml=<a copy of dist with the async wrapper>\`,
  and the same without \`--ml\` at the same time): 1,960 against 1,820, so it costs more. An
  \`await\` on a thenable that is not a native promise would also add a turn.
- Node 24.22.3 does not change the picture: \`<node 24> bench/ml.mjs --only=onnx --rounds=5
  --calls=3000\` (2026-12-01) counted 1,757 (1,445 … 2,778) instructions over a bare run of
  72,540 on iris batch 1 (2.42 %), 1,775 over 81,555 at batch 32 (2.18 %), 1,781 over 61,384 on
  the add-one model (0.29 µs at the bare call's rate).
- Returning the runtime's own promise with a handler attached saves about 170 instructions but
  makes promwire's handler count as the app's: a \`session.run\` whose rejection the app never
  handles would no longer raise \`unhandledRejection\`, where the bare runtime's does.
- The series lookup by \`WeakMap\` (about 70 instructions in V8's builtins) stays: a property on
  the runtime's session objects would change their shape, and a strong reference to the last
  session would keep a released session, and its native model, in memory. A \`WeakRef\` to it
  was not tried: \`deref()\` adds its target to V8's kept-objects set through a runtime call.
`;
}

/** The sections of `file` that this script does not write (GenAI's, from bench/genai.mjs), from the first on. */
function othersOf(file) {
  if (!existsSync(file)) return '';
  const text = readFileSync(file, 'utf8');
  const own = new Set(['How it measures', 'Latest run', 'Where the cost goes']);
  const heading = [...text.matchAll(/^## (.+)$/gm)].find((m) => !own.has(m[1]));
  return heading === undefined ? '' : `\n${text.slice(heading.index)}`;
}

/** The process measured under callgrind: phases on the parent's messages. */
async function child() {
  const c = CASES.find((k) => k.id === CHILD);
  const built = await c.build();
  let unpatch;
  process.on('message', async (message) => {
    try {
      if (message.type === 'prepare') {
        if (message.variant === 'instrumented' && unpatch === undefined) unpatch = built.instrument({ registry: new (require('prom-client').Registry)() });
        if (message.variant === 'bare' && unpatch !== undefined) unpatch = void unpatch();
        await calls(c, built, message.warmUp);
      } else if (message.type === 'go') {
        await calls(c, built, message.calls);
      }
      process.send({ type: message.type });
    } catch (error) {
      process.send({ type: 'failed', error: String(error?.stack ?? error) });
    }
  });
}

/** CPU ns of one `performance.now()` on this machine and Node (median of 5 runs of a million). */
function clockCost() {
  const runs = [];
  for (let r = 0; r < 5; r++) {
    let sink = 0;
    const before = process.cpuUsage();
    for (let i = 0; i < 1e6; i++) sink += performance.now();
    const used = process.cpuUsage(before);
    runs.push(((used.user + used.system) * 1000) / 1e6 + (sink < 0 ? 1 : 0));
  }
  return summary(runs).median;
}

async function main() {
  if (PROFILE !== undefined) {
    const c = CASES.find((k) => k.id === PROFILE);
    if (c === undefined) throw new Error(`--profile: no case ${PROFILE}`);
    await instructionFigures(c);
    return;
  }
  if (process.argv.includes('--bytes')) {
    for (const c of CASES) {
      const b = await bytesFigures(c);
      console.log(`${c.id}: bytes allocated per call: bare ${fmt(b.bare, 0)}, instrumented ${fmt(b.instrumented, 0)}, overhead ${fmt(b.instrumented - b.bare, 0)}`);
    }
    return;
  }
  const load = loadavg();
  const clock = clockCost();
  console.log(`performance.now(): ${fmt(clock, 0)} ns of CPU per read`);
  const started = Date.now();
  const registry = new (require('prom-client').Registry)();
  const results = [];
  for (const c of CASES) {
    const cpu = await cpuFigures(c, registry);
    console.log(`${c.id}: CPU bare ${fmt(cpu.bare.median)} µs, instrumented ${fmt(cpu.instrumented.median)} µs, overhead ${range(cpu.overhead)} µs = ${range(cpu.percent)} %`);
    const instructions = process.argv.includes('--no-instructions') ? undefined : await instructionFigures(c);
    if (instructions !== undefined) {
      console.log(`${c.id}: instructions bare ${int(instructions.bare.median)}, instrumented ${int(instructions.instrumented.median)}, overhead ${range(instructions.overhead, 0)} = ${range(instructions.percent)} %; without GC ${range(instructions.withoutGc.overhead, 0)} = ${range(instructions.withoutGc.percent)} %; GC bare ${int(instructions.gc.bare.median)}, instrumented ${int(instructions.gc.instrumented.median)}`);
    }
    results.push({ ...c, cpu, instructions });
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(`\n${cpuTable(results)}\n\n${instructionTable(results)}\n\n${targets(results)}`);
  if (WRITE) {
    const file = join(ROOT, 'docs/benchmarks-ml.md');
    writeFileSync(file, `${docs(results, seconds, load, clock)}${othersOf(file)}`);
    console.log('\nwrote docs/benchmarks-ml.md');
  }
}

await (CHILD === undefined ? main() : child());
