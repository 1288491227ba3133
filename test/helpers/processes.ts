/** Child processes for cross-package tests: examples, Prometheus, Pushgateway. Loopback only. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

export interface Running {
  process: ChildProcess;
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (for programs that cannot listen on port 0 and report it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `command` and waits until its output matches `ready` (whose first group, if any, is
 * the URL it answers on), failing after `timeoutMs` with what it printed. Without `ready` it
 * resolves at once; the caller polls for readiness.
 */
export function startProcess(
  command: string,
  args: string[],
  ready: RegExp | undefined,
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<Running> {
  const child = spawn(command, args, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${command} ${args.join(' ')} was not ready in time; it printed:\n${output}`));
    }, options.timeoutMs ?? 20000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready?.exec(output) ?? null;
      if (match !== null) {
        clearTimeout(timer);
        resolve({ process: child, url: match[1] ?? '', output: () => output, stop });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    if (ready === undefined) {
      clearTimeout(timer);
      resolve({ process: child, url: '', output: () => output, stop });
    }
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} ${args.join(' ')} exited with ${code}; it printed:\n${output}`));
    });
  });
}

/** Starts an example server on a free loopback port; resolves with its base URL. */
export function startExample(script: string, args: string[] = []): Promise<Running> {
  // The example records with the run's client (the one jest maps 'prom-client' onto), so what the
  // suite compares it with comes from the same library; with both installed it would pick the other.
  const client = process.env.PROMWIRE_CLIENT ?? 'prom-client';
  return startProcess(process.execPath, [join(ROOT, script), ...args], /listening on (http:\/\/127\.0\.0\.1:\d+)/, {
    env: { PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'test', PROMWIRE_CLIENT: client },
  });
}
