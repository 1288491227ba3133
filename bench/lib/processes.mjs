// Child processes with an IPC channel, optionally pinned to one CPU with taskset, and a
// request/answer helper over that channel with a deadline.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const HAS_TASKSET = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

const BENCH = fileURLToPath(new URL('../', import.meta.url));

/** The Node that runs the measured processes: `--node <path>` (PROMWIRE_BENCH_NODE), else this one. */
export function benchNode() {
  return process.env.PROMWIRE_BENCH_NODE || process.execPath;
}

/**
 * Spawns `node [nodeArgs] bench/<script> [args]` on CPU `cpu` (when taskset exists), behind
 * the command words `wrap` when given (e.g. `['valgrind', '--tool=callgrind']`).
 */
export function spawnNode(script, args, { cpu, nodeArgs = [], stdio = 'inherit', wrap = [] } = {}) {
  const command = [...wrap, benchNode(), ...nodeArgs, `${BENCH}${script}`, ...args];
  const [file, ...argv] = HAS_TASKSET && cpu !== undefined ? ['taskset', '-c', String(cpu), ...command] : command;
  const child = spawn(file, argv, { cwd: BENCH, stdio: ['ignore', stdio, stdio, 'ipc'] });
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  // A send racing the child's exit fails with EPIPE; the exit itself is what callers watch.
  child.on('error', () => {});
  return child;
}

/** The next message of `type` from `child`, or a rejection after `ms` or on exit. */
export function nextMessage(child, type, ms) {
  return new Promise((resolve, reject) => {
    const onMessage = (message) => {
      if (message.type === type || message.type === 'failed') {
        cleanup();
        if (message.type === 'failed') reject(new Error(message.error));
        else resolve(message);
      }
    };
    const onExit = (code, signal) => {
      cleanup();
      reject(new Error(`process exited (${signal ?? code}) while waiting for '${type}'`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no '${type}' message within ${ms} ms`));
    }, ms);
    function cleanup() {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Sends `message` and waits for the answer of `type`. */
export function ask(child, message, type, ms) {
  const answer = nextMessage(child, type, ms);
  child.send(message);
  return answer;
}

/** Asks `child` to exit, and kills it (this process's own child, by its handle) if it does not. */
export async function stop(child, ms = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (child.connected) child.send({ type: 'exit' });
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await child.exited;
  clearTimeout(timer);
}
