'use strict';
// Ties a process the demo starts to the demo's life through the IPC channel the demo opens to it:
// when the channel closes (the demo exited, however it ended, even by SIGKILL), this process
// ends too. Two uses:
//   node --require exit-with-parent.cjs app.js       a Node program: SIGTERM to itself, so the
//                                                    app's own handler closes its server
//   node exit-with-parent.cjs [--remove DIR] program [args...]
//                                                    any other program (Prometheus): started as a
//                                                    child, SIGTERM/SIGINT passed on, stopped
//                                                    when the channel closes; DIR (its temporary
//                                                    folder) removed after it; exits with its code
const { spawn } = require('node:child_process');
const { rmSync } = require('node:fs');

const KILL_AFTER_MS = 5000;

if (require.main === module) {
  const argv = process.argv.slice(2);
  const remove = argv[0] === '--remove' ? argv.splice(0, 2)[1] : undefined;
  const [program, ...args] = argv;
  const child = spawn(program, args, { stdio: 'inherit' });
  process.send?.({ pid: child.pid });
  const stop = (signal) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('disconnect', () => stop('SIGTERM'));
  child.on('error', (error) => {
    process.stderr.write(`${program}: ${error.message}\n`);
    process.exit(127);
  });
  child.on('exit', (code, signal) => {
    if (remove !== undefined) rmSync(remove, { recursive: true, force: true });
    process.exit(code ?? (signal === 'SIGTERM' || signal === 'SIGINT' ? 0 : 1));
  });
  if (!process.connected) stop('SIGTERM');
} else if (process.send !== undefined) {
  process.on('disconnect', () => {
    setTimeout(() => process.exit(0), KILL_AFTER_MS).unref();
    process.kill(process.pid, 'SIGTERM');
  });
  if (!process.connected) process.kill(process.pid, 'SIGTERM');
}
