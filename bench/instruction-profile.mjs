// Instruction profile of one benchmark server, by function, JIT-compiled JavaScript included:
//   node bench/instruction-profile.mjs [framework] [variant] [--requests N1] [--node-flags=…]
// (default: nestjs promwire-no-defaults, N1 = 10,000). The server runs as in the instruction
// mode (bench/instructions.mjs), with `node --perf-basic-prof` so that the JIT code callgrind
// sees as bare addresses can be named. Prints the functions with the most instructions per
// request over the window, then promwire's own functions (under packages/) with what they call
// into V8 and Node (IC misses, builtins, allocation), leaving out the framework code they call
// on to (`next()`).
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ROOT } from './lib/frameworks.mjs';
import { nextMessage, stop } from './lib/processes.mjs';
import { dump, instrument, spawnUnderCallgrind } from './lib/callgrind.mjs';
import { perfMap, readDump } from './lib/callgrind-dump.mjs';
import { SequentialLoad } from './lib/sequential-load.mjs';
import { DEFAULT_NODE_FLAGS } from './instructions.mjs';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    requests: { type: 'string', default: '10000' },
    'node-flags': { type: 'string' },
    top: { type: 'string', default: '25' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('usage: node bench/instruction-profile.mjs [framework] [variant] [--requests N1] [--top n] [--node-flags=<flags>]');
  process.exit(0);
}
const [framework = 'nestjs', variant = 'promwire-no-defaults'] = positionals;
const n1 = Number(args.requests);
const flags = args['node-flags'] === undefined ? DEFAULT_NODE_FLAGS : args['node-flags'].split(/\s+/).filter(Boolean);
const dir = `${ROOT}bench/results/instruction-profile-${framework}-${variant.replace(/[^a-z0-9-]/gi, '_')}-${Date.now()}`;
mkdirSync(dir, { recursive: true });
const base = `${dir}/server`;

console.log(`${framework}/${variant} under callgrind: ${n1.toLocaleString('en-US')} requests uncounted, ${n1.toLocaleString('en-US')} counted`);
// --perf-basic-prof also makes V8 write a log; keep it with the dumps.
const nodeArgs = [...flags, '--perf-basic-prof', '--no-logfile-per-isolate', `--logfile=${dir}/v8.log`];
const child = spawnUnderCallgrind(framework, variant, base, { nodeArgs });
const { port } = await nextMessage(child, 'ready', 600000);
const load = new SequentialLoad(port);
await load.run(n1);
await instrument(child.pid, true);
await dump(child.pid, base, 1, `after ${n1} requests`);
const counted = await load.run(n1);
await dump(child.pid, base, 2, `after ${2 * n1} requests`);
await instrument(child.pid, false);
load.close();
await stop(child, 60000);
if (counted.ok !== n1 || counted.newConnections > 0) console.log(`warning: ${counted.non2xx} non-2xx answers, ${counted.newConnections} new connections in the window`);

// Kept with the dumps, so that their JIT code can be named again later (readDump, perfMap).
const map = `${dir}/perf.map`;
copyFileSync(`/tmp/perf-${child.pid}.map`, map);
rmSync(`/tmp/perf-${child.pid}.map`, { force: true });
const { total, self, calls } = readDump(`${base}.${child.pid}.2`, perfMap(map));
const per = (ir) => (ir / n1).toFixed(0).padStart(9);
const short = (name) => name.replace(`file://${ROOT}`, '').replace(ROOT, '').slice(0, 150);

console.log(`\n${per(total)} instructions/request in all (dump: ${base.replace(ROOT, '')}.${child.pid}.2)`);
console.log(`\ntop functions by own instructions per request:`);
for (const [name, ir] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(args.top))) {
  console.log(`${per(ir)}  ${short(name)}`);
}

const own = (name) => name.startsWith('JIT ') && name.includes('/packages/');
const framework_ = (name) => name.startsWith('JIT ') && !own(name);
let ownTotal = 0;
const lines = [];
for (const [name, ir] of [...self.entries()].filter(([n]) => own(n)).sort((a, b) => b[1] - a[1])) {
  // Callees outside JavaScript (V8 runtime, builtins, Node's C++) count as this function's
  // cost; calls to other promwire functions are counted where they are self; calls into the
  // framework's JavaScript (next(), emit) are not promwire's.
  const edges = [...(calls.get(name) ?? new Map()).entries()].filter(([c]) => !own(c) && !framework_(c)).sort((a, b) => b[1] - a[1]);
  const called = edges.reduce((s, [, c]) => s + c, 0);
  ownTotal += ir + called;
  lines.push(`${per(ir + called)}  ${short(name)}  (self ${per(ir).trim()})`);
  for (const [c, v] of edges.slice(0, 6)) if (v / n1 >= 20) lines.push(`${' '.repeat(14)}${per(v)}  → ${short(c)}`);
}
console.log(`\npromwire's functions (packages/), with what they call in V8 and Node: ${per(ownTotal).trim()} instructions/request`);
console.log(lines.join('\n') || '  none (inlined into framework code, or not in this variant)');
console.log('\nTurboFan inlines small functions into their callers: a function missing here ran inside the one that called it.');
