// docs/benchmarks.md, rewritten from the results of each run. The CPU-time run writes the
// whole file but keeps the instruction-count section; the instruction-count run
// (`--instructions`) replaces only that section, between its two markers.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expositionRows, frameworkHeading, frameworkRows, markdownTable, targetLine } from './report.mjs';
import { instructionRows } from './instruction-report.mjs';

const BEGIN = '<!-- instruction counts: written by `npm run bench -- --instructions`, kept by the CPU-time run -->';
const END = '<!-- end of instruction counts -->';

// The Node 24 + @prometheus-io/client table, measured by a run of its own (`--node`, --no-docs)
// and written by hand from its results: kept by the CPU-time run as well.
const NODE24_BEGIN = '<!-- Node 24 + @prometheus-io/client: a run of its own, kept by the CPU-time run -->';
const NODE24_END = '<!-- end of Node 24 + @prometheus-io/client -->';

/** The part of `file` between `begin` and `end` (markers included), or undefined. */
function keptSection(file, begin = BEGIN, end = END) {
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  return from === -1 || to < from ? undefined : text.slice(from, to + end.length);
}
const instructionSection = (file) => keptSection(file);

const KIND = {
  bare: 'the framework alone',
  noop: 'the framework\'s own cost of a hook pair that records nothing',
  promwire: 'promwire',
  peer: 'peer, at its defaults, metrics endpoint on',
  floor: 'hand-written prom-client',
};

export function writeDocs(file, results) {
  const { settings: s, machine: m, versions } = results;
  const out = [];
  out.push(`# Benchmarks

What promwire costs per request, measured against the bare framework, the framework's own cost
of a middleware or hook pair that records nothing ("no-op"), a hand-written prom-client "floor"
(\`counter.inc(labels)\`, \`histogram.observe(labels, v)\`, \`gauge.inc/dec\` in the same hook
pair) and the peers a user would pick instead. This file is rewritten by every run of the
benchmark; the raw results of the last run are in \`bench/results/latest.json\` (not committed).

## How to rerun

\`\`\`sh
npm run bench                              # every framework whose adapter is built, about 10 minutes
npm run bench -- --quick                   # 3 short rounds, under 2 minutes
npm run bench -- --framework express,koa   # only these frameworks
node bench/run.mjs --help                  # rounds, seconds per measurement, budget, connections
node bench/profile.mjs express promwire 10 # CPU profile of one variant under load, top self time

npm run bench -- --instructions            # instructions per request under callgrind, about 15 minutes
npm run bench -- --instructions --quick    # N1 = 2,000: a few minutes, checks the set-up only
npm run bench -- --instructions --framework fastify --repeat 2   # one framework, each variant twice
npm run bench -- --instructions --help     # variants, N1, repeats, parallel servers, node flags
node bench/instructions.mjs --framework express,nestjs --variant promwire-no-defaults   # bare + these variants only
node bench/instruction-profile.mjs nestjs promwire-no-defaults   # instructions per function, JIT code named
node bench/gc-survival.mjs nestjs noop,promwire-no-defaults   # scavenges, mark-compacts, bytes kept, sites V8 tenures
\`\`\`

\`npm run bench\` first rebuilds any package whose \`dist/\` is older than its sources. A
framework is included when its promwire adapter has a built \`dist/\`. Close other work on the
machine first: the figures are CPU time, and a busy machine shows as wide min…max ranges.
The instruction counts (\`--instructions\`, needs \`valgrind\`) do not depend on the machine's
load: use them to compare costs of a few µs or less, on a busy machine too. Each mode rewrites
only its own results section of this file.
ML inference (\`@promwire/ml\`, per \`session.run\` and \`predict\`): [benchmarks-ml.md](benchmarks-ml.md), written by \`node bench/ml.mjs --write\`.
Zero-code preload start-up (\`@promwire/auto\`, \`node bench/auto-startup.mjs\`): [zero-code.md](zero-code.md).
Cluster aggregation and \`get()\` against the clients (\`node --expose-gc bench/cluster-get.mjs\`): [beyond-one-process.md](beyond-one-process.md).

## How it measures

- One server process per variant, all serving \`GET /users/:id\` (JSON body), listening on
  127.0.0.1 and pinned to CPU 0 with \`taskset\`; the load comes from autocannon in a separate
  process pinned to CPU 1, ${s.connections} connections, ids cycled over 1..1000.
- Every server is warmed up under load first, in two passes over all servers (${s.warmupSeconds} s
  each, then half that). A calibration load on the bare server then fixes the request count of
  every measurement of that framework (about the target seconds of load).
- Before each measurement the same server gets an unmeasured load of a quarter of its request
  count: a server that sat idle while the others ran starts slower, and bare, measured every
  other time, sits idle less than the variants.
- A measurement: the server reads \`process.cpuUsage()\` (user + system, all threads) when told
  to start and when told to stop, over IPC, so the control messages never touch the framework;
  the load generator sends the fixed number of requests in between. **CPU µs/req** = CPU time ÷
  requests the handler served.
- Variants alternate with bare (bare, X, bare, Y, …, bare), in a rotated order each round.
  **overhead** = the variant's CPU µs/req − the mean of the two bare measurements around it;
  **req/s ÷ bare** the same way for throughput; **over no-op** = overhead − the no-op
  variant's overhead in the same round. Tables give the median over rounds and (min…max).
- The line above each table says how busy the bare server was. Below about 90 % of its core,
  the pace was set by the load generator or the machine, not the server, and the req/s ratios
  understate the differences; CPU µs/req does not depend on it.
- **/metrics check**: after warm-up and again at the end, each server's \`/metrics\` must count at
  least as many \`GET /users/:id\` requests as the load generator got 2xx answers for (bare and
  no-op: the handler's own count). A variant failing it is marked ✗ and not used for targets.
- \`/metrics\` at scale: one process per implementation and size (\`node --expose-gc\`): N label
  sets \`{method, route, status_code}\`, each with a request counter and a duration histogram
  (the same 14 buckets), recorded through promwire's recorder (\`createHttpMetrics\`,
  \`begin\`/\`end\`) or through prom-client's \`Counter\` and \`Histogram\`. Serialization time
  of promwire's \`renderRegistry\` (its endpoint's body) and of prom-client's
  \`registry.metrics()\`; heap = heap used after forced GC, after one scrape, minus before the
  series existed, ÷ N.

### How it counts instructions (\`--instructions\`)

- Each variant's server (\`bench/server.mjs\`, the same apps as above) runs under
  \`valgrind --tool=callgrind --instr-atstart=no\`: callgrind counts the instructions the
  process executes, on every thread, JIT-compiled code included, whatever else the machine runs.
- The servers' node runs with \`--single-threaded --no-memory-reducer --min-semi-space-size=16
  --max-semi-space-size=16 --heap-growing-percent=100\`. Under valgrind a request takes some
  fifty times longer in wall time, longer still on a busy machine, and V8 sizes its heap from
  rates per millisecond: at a low allocation rate it shrinks the new space (more scavenges), the
  memory reducer starts full GCs, old-space growth follows measured speeds. At V8's defaults
  Fastify bare counted 61.1k instructions/request with an 11 s window and 64.7k with a 65 s
  one. The flags fix the new space at V8's 64-bit maximum, old-space growth at 100 % (NestJS's
  full-GC cost per request at the defaults matched it), and keep all work on the main thread:
  60.05k and 60.01k with 71 s and 61 s windows, 60.6k with a 193 s one (what remains is Node's
  once-a-second timers). \`--node-flags=<flags>\` replaces them.
- The load comes from the benchmark process itself, outside valgrind: \`GET /users/:id\`, ids
  cycled over 1..1000, one request at a time over one kept-alive connection to 127.0.0.1 (a
  server under callgrind is some fifty times slower; one connection keeps it busy).
- N1 = 10,000 requests are sent with counting off (start-up and JIT warm-up, at valgrind's
  uninstrumented speed); then \`callgrind_control --instr=on\` and a first counter read
  (\`--dump\`); then N2 − N1 = 10,000 more requests on the same connection and a second read.
  That reading is Ir(N2) − Ir(N1), and **instructions/request** = (Ir(N2) − Ir(N1)) ÷
  (N2 − N1): start-up, warm-up and connection set-up fall outside the window. Counts still
  drift below N1 = 10,000 (Fastify bare, V8 defaults: 75.0k at N1 = 4,000, 61.1k at 10,000, 60.8k at
  20,000), so figures to quote use N1 ≥ 10,000.
- **overhead vs bare** = the variant's count − bare's; **over no-op** = the count − the no-op
  variant's; for promwire that is its **own work**: what promwire adds beyond the framework's
  own cost of a hook pair with a \`close\` listener.
- **of which GC**: the part spent in V8's garbage collector (every call into scavenges, full
  GCs, incremental marking, sweeping, the marking write barrier), read from the dump. On the
  Express-based stacks a full GC comes every few thousand requests, so a window that catches one
  more or one fewer moves a NestJS count by up to about 2.5 % between runs of one variant, while
  the rest repeats within 0.3 %: compare close figures with \`--repeat\`.
- promwire is counted as \`promwire-no-defaults\` (\`defaultMetrics: false\`), like the floor, which
  registers no process metrics either: those are sampled on timers (@prometheus-io/client's
  event-loop-utilization summary observes ten times a second), a cost per second that, at a
  fiftieth of the native request rate, callgrind would count as per-request work many times
  over. \`--variant promwire\` adds the variant with them.
- With \`--repeat n\` every variant is counted n times, each in a new process; the table shows
  each run and the spread.
- The traffic check, after the window: the handler served exactly N2 requests, \`/metrics\`
  counts at least N2 \`GET /users/:id\`, and the connection was not re-opened inside the
  window. Servers run two at a time (\`--jobs\`); the counts do not depend on it. Raw results:
  \`bench/results/instructions-latest.json\`; callgrind's dumps in
  \`bench/results/callgrind-<time>/\` (\`callgrind_annotate\` reads them: V8 builtins and
  Node's C++ by name, JIT-compiled JavaScript as bare addresses).
`);

  out.push(`## Latest run

- ${results.startedAt.replace('T', ' ').replace(/\..*/, ' UTC')}, \`${results.command}\` (${s.mode} mode, ${results.seconds} s)
- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, ${m.os}; load average at start ${m.loadAverage.join(', ')}
- Node ${m.node}; processes ${s.taskset ? 'pinned with taskset (server CPU 0, load CPU 1)' : 'not pinned (no taskset)'}
- Versions: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}
`);
  if (s.mode === 'quick') {
    out.push('> Quick mode: few, short rounds. Use the full `npm run bench` for figures to quote.\n');
  }

  for (const fw of results.frameworks) {
    if (fw.figures === undefined) {
      out.push(`### ${fw.title}\n\nNot measured: ${fw.skipped ?? 'did not run'}.\n`);
      continue;
    }
    out.push(`### ${fw.title} ${fw.version}

${frameworkHeading(fw).replace(/^[^:]*: /, '')}.

${markdownTable(frameworkRows(fw))}
`);
    const notes = [];
    for (const v of fw.variants) {
      const what = v.kind === 'peer' || v.kind === 'floor' ? `${v.package ?? v.id} ${v.version ?? ''}`.trim() : KIND[v.kind];
      notes.push(`- \`${v.id}\`: ${what}${v.note ? `; ${v.note}` : ''}${v.startError ? `. **Could not run:** ${v.startError}` : ''}`);
    }
    if (fw.truncated !== undefined) notes.push(`- ${fw.truncated}`);
    const problems = (fw.measurements ?? []).filter((x) => x.problem !== undefined);
    for (const p of problems) notes.push(`- round ${p.round}, \`${p.variant}\`: ${p.problem}${p.valid ? '' : ' (not counted)'}`);
    out.push(`${notes.join('\n')}\n`);
  }

  if (results.exposition.length > 0) {
    out.push(`### \`/metrics\` serialization and heap

${markdownTable(expositionRows(results.exposition))}

Serialization: median (min…max) over the iterations of one process, after one warm-up render.
"promwire via prom-client" is prom-client's own serializer over promwire's collectors (the path
cluster aggregation and the Pushgateway take), for reference.
`);
  }
  if (results.targets.length > 0) {
    out.push(`### Targets (issue 3)

Evaluated on this run's medians.

${results.targets.map((t) => `- ${targetLine(t).replace(/^(\S+)\s+/, '**$1** ')}`).join('\n')}
`);
  }
  for (const kept of [keptSection(file, NODE24_BEGIN, NODE24_END), instructionSection(file)]) {
    if (kept !== undefined) out.push(kept);
  }
  writeFileSync(file, `${out.join('\n').trimEnd()}\n`);
}

/** The instruction-count section, markers included. */
function instructionMarkdown(results) {
  const { settings: s, machine: m, versions } = results;
  const runs = s.repeat > 1 ? `each variant counted ${s.repeat} times, each in a new process (mean shown)` : 'each variant counted once';
  const out = [BEGIN, `## Instruction counts (callgrind)

- ${results.startedAt.replace('T', ' ').replace(/\..*/, ' UTC')}, \`${results.command}\` (${results.seconds} s; the servers under valgrind used ${results.serverCpuSeconds ?? '?'} CPU-seconds)
- N1 = ${s.n1.toLocaleString('en-US')}, N2 = ${s.n2.toLocaleString('en-US')}: instructions/request = (Ir(N2) − Ir(N1)) ÷ ${(s.n2 - s.n1).toLocaleString('en-US')}; ${runs}${s.nodeFlags.length > 0 ? `; node ${s.nodeFlags.join(' ')}` : ''}
- ${s.valgrind}, Node ${m.node}; ${m.cpu}, ${m.cores} cores, load average at start ${m.loadAverage.join(', ')} (the counts do not depend on it)
- Sources: ${results.sources === undefined ? `commit ${versions.commit}` : `HEAD ${results.sources.head}, packages/ last changed in ${results.sources.packages}${results.sources.dirty ? ', with uncommitted changes' : ''}`} (the built \`dist/\` measured)
- Versions: ${Object.entries(versions).filter(([k]) => k !== 'commit' && k !== 'autocannon').map(([k, v]) => `${k} ${v}`).join(', ')}
`];
  if (s.n1 < 10000) {
    out.push('> N1 below 10,000: the JIT has not settled, counts are higher than settled ones. Use the default for figures to quote.\n');
  }
  for (const fw of results.frameworks) {
    if (fw.figures === undefined) {
      out.push(`### ${fw.title}\n\nNot counted: ${fw.skipped ?? 'did not run'}.\n`);
      continue;
    }
    out.push(`### ${fw.title} ${fw.version}\n\n${markdownTable(instructionRows(fw))}\n`);
    const notes = [];
    for (const v of fw.variants) {
      const what = v.kind === 'peer' || v.kind === 'floor' ? `${v.package ?? v.id} ${v.version ?? ''}`.trim() : KIND[v.kind];
      notes.push(`- \`${v.id}\`: ${what}${v.note ? `; ${v.note}` : ''}`);
    }
    out.push(`${notes.join('\n')}\n`);
  }
  if (results.targets.length > 0) {
    out.push(`### Targets (issue 10), instructions per request

${results.targets.map((t) => `- ${targetLine(t).replace(/^(\S+)\s+/, '**$1** ')}`).join('\n')}
`);
  }
  out.push(END);
  return out.join('\n');
}

/** Replaces (or appends) the instruction-count section of `file`, leaving the rest as it is. */
export function writeInstructionDocs(file, results) {
  const section = instructionMarkdown(results);
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const from = text.indexOf(BEGIN);
  const to = text.indexOf(END);
  const next =
    from !== -1 && to > from
      ? `${text.slice(0, from)}${section}${text.slice(to + END.length)}`
      : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}
