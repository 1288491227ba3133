// What @promwire/ml costs per inference: CPU µs per `session.run` (onnxruntime-node) and per
// `predict` (TensorFlow.js, CPU backend), instrumented vs bare, on the example's iris classifier
// and on a trivial model, with the same inputs; and, with valgrind installed, the instructions
// per call of each (deterministic, so they hold on a busy machine). Writes docs/benchmarks-ml.md
// with --write.
//
//   node bench/ml.mjs [--rounds=15] [--calls=4000] [--only=onnx,tfjs-iris] [--no-instructions] [--write]
//
// CPU: one process, one model object per case, reused by both variants. A measurement is
// `calls` sequential calls (each awaited), timed with process.cpuUsage() (user + system, every
// thread; onnxruntime-node gets one intra-op thread so no idle pool spins into the figures).
// Variants alternate, bare first and last (bare, instrumented, bare, …); the overhead of a
// measurement is its CPU µs per call minus the mean of the two bare measurements around it;
// tables give the median over rounds and the (min … max).
// Instructions: each case and variant runs in a process of its own under callgrind, twice, with
// a small and a large number of calls; (instructions of the large − of the small) ÷ (calls
// difference) is the count per call, start-up and model load cancelled out.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { summary } from './lib/stats.mjs';

const ROOT = join(import.meta.dirname, '..');
const require = createRequire(join(ROOT, 'package.json'));
const option = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const ROUNDS = Number(option('rounds') ?? 15);
const CALLS = Number(option('calls') ?? 4000);
const ONLY = option('only')?.split(',');
const WRITE = process.argv.includes('--write');
const CHILD = option('child'); // <case id>:<bare|instrumented>:<warm-up calls>:<calls>, run under callgrind

if (!existsSync(join(ROOT, 'packages/ml/dist/index.js'))) {
  console.error('bench/ml.mjs: build @promwire/ml first (npm run build)');
  process.exit(1);
}

const FLOWERS = [[5.1, 3.5, 1.4, 0.2], [7.0, 3.2, 4.7, 1.4], [6.3, 3.3, 6.0, 2.5]];
const rows = (n) => Array.from({ length: n }, (_, i) => FLOWERS[i % 3]);
const SESSION_OPTIONS = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' };

/** The cases: `build()` loads the runtime and the model once and answers one call and the module. */
const CASES = [
  ...[['iris', 'iris (example)', 'features', 1], ['iris', 'iris (example)', 'features', 32], ['add_one', 'add one (trivial)', 'x', 1]].map(
    ([name, model, input, batch]) => ({
      id: `onnx-${name}-${batch}`, runtime: 'onnxruntime-node', model, call: 'session.run', batch, async: true,
      async build() {
        const ort = require('onnxruntime-node');
        const { instrumentOnnxRuntime } = require('@promwire/ml');
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
      const { instrumentTfjs } = require('@promwire/ml');
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
  const bare = sequence.filter((_, i) => i % 2 === 0);
  const instrumented = sequence.filter((_, i) => i % 2 === 1);
  const around = instrumented.map((_, i) => (bare[i] + bare[i + 1]) / 2);
  return {
    bare: summary(bare),
    instrumented: summary(instrumented),
    overhead: summary(instrumented.map((v, i) => v - around[i])),
    percent: summary(instrumented.map((v, i) => (100 * (v - around[i])) / around[i])),
  };
}

/** Instructions per call of `variant` of `c`, from two callgrind runs; undefined without valgrind. */
function instructionFigures(c) {
  if (spawnSync('valgrind', ['--version']).error !== undefined) return undefined;
  const [warmUp, small, large] = c.async ? [2000, 1000, 5000] : [1000, 500, 2500];
  const dir = mkdtempSync(join(tmpdir(), 'promwire-ml-callgrind-'));
  const count = (variant, n) => {
    const out = join(dir, `${c.id}-${variant}-${n}.out`);
    const child = spawnSync('valgrind', [
      '--tool=callgrind', `--callgrind-out-file=${out}`, '--dump-line=no', '--dump-instr=no', '--smc-check=all-non-file',
      process.execPath, join(import.meta.dirname, 'ml.mjs'), `--child=${c.id}:${variant}:${warmUp}:${n}`,
    ], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (child.status !== 0) throw new Error(`callgrind run of ${c.id} ${variant} failed:\n${child.stderr.slice(-2000)}`);
    return Number(/^totals:\s+(\d+)/m.exec(readFileSync(out, 'utf8'))[1]);
  };
  try {
    const perCall = (variant) => (count(variant, large) - count(variant, small)) / (large - small);
    const bare = perCall('bare');
    const instrumented = perCall('instrumented');
    return { bare, instrumented, overhead: instrumented - bare, percent: (100 * (instrumented - bare)) / bare };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
    '| runtime | model | call | batch | bare instructions/call | instrumented | overhead | overhead % | overhead at the bare CPU rate, µs |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const i = r.instructions;
    if (i === undefined) continue;
    const µs = (i.overhead * r.cpu.bare.median) / i.bare;
    lines.push(`| ${r.runtime} | ${r.model} | \`${r.call}\` | ${r.batch} | ${int(i.bare)} | ${int(i.instrumented)} | ${int(i.overhead)} | ${fmt(i.percent)} | ${fmt(µs)} |`);
  }
  return lines.join('\n');
}

function targets(results) {
  return results.map((r) => {
    const trivial = r.model.includes('trivial');
    const i = r.instructions;
    const cpu = trivial ? r.cpu.overhead.median : r.cpu.percent.median;
    const counted = i === undefined ? undefined : trivial ? (i.overhead * r.cpu.bare.median) / i.bare : i.percent;
    const ok = (v) => (v === undefined ? '' : trivial ? (v < 1 ? '✓' : '✗') : v < 2 ? '✓' : '✗');
    const unit = trivial ? ' µs' : ' %';
    const goal = trivial ? '< 1 µs' : '< 2 % of the model\'s own time';
    const byCount = counted === undefined ? '' : `; by instruction count ${ok(counted)} ${fmt(counted)}${unit}`;
    return `- ${r.runtime}, ${r.model}, batch ${r.batch} (target ${goal}): CPU median ${ok(cpu)} ${fmt(cpu)}${unit}${byCount}`;
  }).join('\n');
}

function docs(results, seconds, load) {
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
- **Instructions** (${valgrind ?? 'valgrind not installed: not measured'}): each case and variant in
  a process of its own under \`valgrind --tool=callgrind\`, run twice with a small and a large
  number of calls after the same warm-up; the difference ÷ the calls difference is the count per
  call (start-up, module and model loads and JIT warm-up cancel out). Deterministic: a busy machine does not move it, where it widens
  the CPU ranges. The last column converts the overhead to µs at the bare call's own
  instructions-per-µs rate.

## Latest run

- ${new Date().toISOString().replace('T', ' ').replace(/\..*/, ' UTC')}, \`node bench/ml.mjs --rounds=${ROUNDS} --calls=${CALLS} --write\` (${seconds} s)
- Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GB; load average at start ${load.map((l) => l.toFixed(2)).join(', ')}
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
in-flight increment and decrement, a bucket search over 14 bounds with one increment and a sum,
and on success a batch-size bucket: typed-array writes, no label objects, no allocation for a
synchronous \`predict\`. An asynchronous call (\`session.run\`, \`executeAsync\`) also pays one
promise reaction (the wrapper's \`then\`, so the app's promise settles after the metrics are
recorded), and the two closures it needs. On Node 20 each clock read is a call into the runtime
(\`performance.now()\` has no fast path before Node 22), and the two reads with the one promise
reaction are most of the overhead: the floor of any wrapper that times an asynchronous call.
`;
}

async function child() {
  const [id, variant, warmUp, n] = CHILD.split(':');
  const c = CASES.find((k) => k.id === id);
  const built = await c.build();
  if (variant === 'instrumented') built.instrument({ registry: new (require('prom-client').Registry)() });
  // The same warm-up in both runs, so the difference holds steady-state calls only.
  await calls(c, built, Number(warmUp) + Number(n));
}

async function main() {
  const load = loadavg();
  const started = Date.now();
  const registry = new (require('prom-client').Registry)();
  const results = [];
  for (const c of CASES) {
    const cpu = await cpuFigures(c, registry);
    console.log(`${c.id}: CPU bare ${fmt(cpu.bare.median)} µs, instrumented ${fmt(cpu.instrumented.median)} µs, overhead ${range(cpu.overhead)} µs = ${range(cpu.percent)} %`);
    const instructions = process.argv.includes('--no-instructions') ? undefined : instructionFigures(c);
    if (instructions !== undefined) {
      console.log(`${c.id}: instructions bare ${int(instructions.bare)}, instrumented ${int(instructions.instrumented)}, overhead ${int(instructions.overhead)} = ${fmt(instructions.percent)} %`);
    }
    results.push({ ...c, cpu, instructions });
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(`\n${cpuTable(results)}\n\n${instructionTable(results)}\n\n${targets(results)}`);
  if (WRITE) {
    writeFileSync(join(ROOT, 'docs/benchmarks-ml.md'), docs(results, seconds, load));
    console.log('\nwrote docs/benchmarks-ml.md');
  }
}

await (CHILD === undefined ? main() : child());
