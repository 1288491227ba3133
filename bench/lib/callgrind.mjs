// A benchmark server under `valgrind --tool=callgrind`, and its instruction counter. The
// counter is read by asking callgrind for a dump (`callgrind_control --dump <pid>`): each dump
// holds the instructions executed, by every thread of the process, since the previous dump
// (or since start), and its `totals:` line is the count.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { spawnNode } from './processes.mjs';

/** Why callgrind cannot run here, or undefined when it can. */
export function callgrindMissing() {
  for (const tool of ['valgrind', 'callgrind_control']) {
    const probe = spawnSync(tool, ['--version'], { encoding: 'utf8' });
    if (probe.error !== undefined) return `${tool} not found (install valgrind)`;
  }
  return undefined;
}

export function valgrindVersion() {
  return spawnSync('valgrind', ['--version'], { encoding: 'utf8' }).stdout?.trim();
}

/**
 * Starts `bench/server.mjs <framework> <variant>` under callgrind. `base` is the path prefix
 * of callgrind's files: dump `k` is written to `<base>.<pid>.<k>`, valgrind's log to
 * `<base>.<pid>.log`. Answers the child (the valgrind process: its pid is the one to address).
 */
export function spawnUnderCallgrind(framework, variant, base, { nodeArgs = [], instrAtStart = false } = {}) {
  const wrap = [
    'valgrind',
    '--tool=callgrind',
    // Start-up and the first load run uninstrumented (several times faster); `instrument()`
    // switches counting on before the measured window.
    `--instr-atstart=${instrAtStart ? 'yes' : 'no'}`,
    `--callgrind-out-file=${base}.%p`,
    `--log-file=${base}.%p.log`,
    // Node starts no child of its own here; say so rather than rely on the default.
    '--trace-children=no',
    // Only the totals are read; smaller dumps are written faster.
    '--dump-line=no',
    '--dump-instr=no',
    // V8 writes machine code into anonymous mappings; valgrind must notice code it rewrites.
    '--smc-check=all-non-file',
    // callgrind_control talks to the process through vgdb.
    '--vgdb=yes',
  ];
  const child = spawnNode('server.mjs', [framework, variant], { wrap, nodeArgs, stdio: 'pipe' });
  child.stderrTail = '';
  child.stderr.on('data', (d) => (child.stderrTail = (child.stderrTail + d).slice(-4000)));
  child.stdout.resume();
  return child;
}

function run(file, args, ms) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: ms, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')}: ${error.message.split('\n')[0]} ${stderr}`.trim()));
      else resolve(stdout);
    });
  });
}

/** The `totals:` count of one dump file. */
export function dumpTotal(file) {
  const match = /^totals:\s+(\d+)/m.exec(readFileSync(file, 'utf8'));
  if (match === null) throw new Error(`no totals line in ${file}`);
  return Number(match[1]);
}

/**
 * Asks callgrind in process `pid` for dump number `part` and answers its instruction count:
 * the instructions executed since the previous dump (or since start, for the first).
 */
export async function dump(pid, base, part, description, ms = 120000) {
  const out = await run('callgrind_control', [`--dump=${description}`, String(pid)], ms);
  if (!/OK/.test(out)) throw new Error(`callgrind_control --dump ${pid}: ${out.trim()}`);
  const file = `${base}.${pid}.${part}`;
  // callgrind_control answers once the dump is written; allow a moment for the file system.
  for (let i = 0; i < 50 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 100));
  return dumpTotal(file);
}

/** Switches callgrind's instrumentation of process `pid` on or off. */
export async function instrument(pid, on, ms = 120000) {
  const out = await run('callgrind_control', [`--instr=${on ? 'on' : 'off'}`, String(pid)], ms);
  if (!/OK/.test(out)) throw new Error(`callgrind_control --instr ${pid}: ${out.trim()}`);
}
