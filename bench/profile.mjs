// CPU profile of one benchmark server under load, and its top self-time functions:
//   node bench/profile.mjs [framework] [variant] [seconds]     (default: express promwire 10)
// The server runs with `node --cpu-prof` (pinned to CPU 0 when taskset exists), is warmed up,
// then loaded for `seconds`; the profile is written to bench/results/ and summarised: the top
// functions overall, and those under packages/ (promwire's own code).
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { HAS_TASKSET, ask, nextMessage, spawnNode, stop } from './lib/processes.mjs';
import { ROOT } from './lib/frameworks.mjs';

const [framework = 'express', variant = 'promwire', secondsArg = '10'] = process.argv.slice(2);
const seconds = Number(secondsArg);
const dir = `${ROOT}bench/results/profile-${framework}-${variant.replace(/[^a-z0-9-]/gi, '_')}-${Date.now()}`;
mkdirSync(dir, { recursive: true });

const server = spawnNode('server.mjs', [framework, variant], {
  cpu: HAS_TASKSET ? 0 : undefined,
  nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
});
const loader = spawnNode('load.mjs', [], { cpu: HAS_TASKSET ? 1 : undefined });
const [{ port }] = await Promise.all([nextMessage(server, 'ready', 60000), nextMessage(loader, 'ready', 20000)]);
const run = (s) => ask(loader, { type: 'run', id: 1, port, amount: 50_000_000, connections: 10, maxSeconds: s }, 'result', (s + 30) * 1000);
await run(3);
await ask(server, { type: 'start' }, 'started', 5000);
const { result } = await run(seconds);
const cpu = await ask(server, { type: 'stop' }, 'stopped', 5000);
await stop(server, 10000);
await stop(loader);
console.log(`${framework}/${variant}: ${Math.round(result.rps)} req/s, ${((cpu.user + cpu.system) / cpu.served).toFixed(1)} µs CPU per request over ${cpu.served} requests`);

const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (file === undefined) throw new Error(`no profile written in ${dir}`);
const profile = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  const { functionName, url, lineNumber } = byId.get(id).callFrame;
  const where = url ? `${url.replace(/^file:\/\//, '').replace(ROOT, '')}:${lineNumber + 1}` : '';
  const key = `${functionName || '(anonymous)'} ${where}`.trim();
  self.set(key, (self.get(key) ?? 0) + dt);
  total += dt;
});
const rows = [...self.entries()].sort((a, b) => b[1] - a[1]);
const line = ([key, us]) => `${((us / total) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}`;
console.log(`\nprofile: ${dir.replace(ROOT, '')}/${file} (${(total / 1e6).toFixed(1)} s sampled)`);
console.log('\ntop self time, all functions:');
for (const r of rows.slice(0, 25)) console.log(line(r));
const own = rows.filter(([key]) => key.includes('packages/'));
const ownTotal = own.reduce((s, [, us]) => s + us, 0);
console.log(`\nunder packages/ (promwire): ${((ownTotal / total) * 100).toFixed(1)} % of samples`);
for (const r of own.slice(0, 20)) console.log(line(r));
