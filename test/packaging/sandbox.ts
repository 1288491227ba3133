/**
 * A user's project outside the repository: every package as `npm pack` ships it, installed into
 * a folder under os.tmpdir() together with the frameworks, the client and TypeScript from the
 * npm registry. The folder is named after the tarballs' content hash, so the suites of one run
 * (and later runs, while the packages are unchanged) share one install; a lock directory makes
 * the second suite wait for the first suite's install instead of starting its own.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/processes';

/** What a user installs beside promwire, from the registry (ranges the READMEs support). */
export const REGISTRY_DEPENDENCIES: Record<string, string> = {
  'prom-client': '^15.1.3',
  express: '^5.1.0',
  fastify: '^5.6.0',
  koa: '^3.0.0',
  '@koa/router': '^15.0.0',
  '@nestjs/common': '^11.0.0',
  '@nestjs/core': '^11.0.0',
  '@nestjs/platform-express': '^11.0.0',
  'reflect-metadata': '^0.2.2',
  rxjs: '^7.8.0',
  typescript: '~6.0.3',
  '@types/node': '^20.19.0',
  '@types/express': '^5.0.3',
  '@types/koa': '^3.0.0',
};

export interface Sandbox {
  /** The project folder: package.json, node_modules. */
  dir: string;
  /** Each package's tarball: name → path. */
  tarballs: Record<string, string>;
  /** Seconds spent packing, and installing (0 when an earlier suite's install was reused). */
  packSeconds: number;
  installSeconds: number;
}

export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 300000): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, timeout: timeoutMs, maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

export const packageDirs = (): string[] => readdirSync(join(ROOT, 'packages')).map((dir) => join(ROOT, 'packages', dir));

export interface PackedFile { path: string; size: number }
export interface Packed { name: string; filename: string; size: number; unpackedSize: number; files: PackedFile[] }

/** Every file a package's `exports` names (`dist/index.mjs`, `dist/index.d.mts` …). */
export function exportTargets(dir: string): string[] {
  const { exports } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  const files = (value: unknown): string[] => (typeof value === 'string' ? [value] : Object.values(value as object).flatMap(files));
  return [...new Set(Object.values(exports).flatMap(files).map((file) => file.replace(/^\.\//, '')))];
}

/** `npm pack` of every package (built already) into `destination`. */
export async function packAll(destination: string): Promise<Packed[]> {
  mkdirSync(destination, { recursive: true });
  const packed: Packed[] = [];
  for (const dir of packageDirs()) {
    const { code, output } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', destination], dir);
    if (code !== 0) throw new Error(`npm pack in ${dir} failed:\n${output}`);
    const [info] = JSON.parse(output.slice(output.indexOf('['))) as Packed[];
    const missing = exportTargets(dir).filter((file) => !info!.files.some((f) => f.path === file));
    if (missing.length > 0) throw new Error(`${info!.name}: the tarball lacks ${missing.join(', ')} (build the package first: npm run build)`);
    packed.push({ ...info!, filename: join(destination, info!.filename) });
  }
  return packed;
}

async function until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Sandboxes of earlier package contents, untouched for a day: no run of this repository uses them. */
function removeStaleSandboxes(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith('promwire-sandbox-')) continue;
    const path = join(tmpdir(), name);
    if (Date.now() - statSync(path).mtimeMs > 86400000) rmSync(path, { recursive: true, force: true });
  }
}

/** Packs every package and installs the tarballs into a user's project (reused when ready). */
export async function sandbox(): Promise<Sandbox> {
  const started = Date.now();
  const scratch = mkdtempSync(join(tmpdir(), 'promwire-pack-'));
  const packed = await packAll(scratch).catch((error: unknown) => {
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  });
  const packSeconds = (Date.now() - started) / 1000;
  const hash = createHash('sha256');
  for (const p of packed) hash.update(readFileSync(p.filename));
  hash.update(JSON.stringify(REGISTRY_DEPENDENCIES));
  const dir = join(tmpdir(), `promwire-sandbox-${hash.digest('hex').slice(0, 16)}`);
  const tarballDir = join(dir, 'tarballs');
  const tarballs = Object.fromEntries(packed.map((p) => [p.name, join(tarballDir, p.filename.slice(scratch.length + 1))]));
  const ready = join(dir, '.ready');
  const lock = `${dir}.lock`;
  let installSeconds = 0;
  if (!existsSync(ready)) {
    // A lock left by a run that died long ago is broken; a live one is waited for.
    if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 600000) rmSync(lock, { recursive: true, force: true });
    let owner = false;
    try {
      mkdirSync(lock);
      owner = true;
    } catch {
      await until(() => existsSync(ready) || !existsSync(lock), 600000, `the install in ${dir}`);
    }
    if (owner) {
      try {
        const installStarted = Date.now();
        removeStaleSandboxes();
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
        renameSync(scratch, tarballDir);
        const dependencies = { ...REGISTRY_DEPENDENCIES, ...Object.fromEntries(packed.map((p) => [p.name, `file:${tarballs[p.name]}`])) };
        writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'promwire-user', private: true, dependencies }, null, 2)}\n`);
        const { code, output } = await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'], dir, {}, 600000);
        if (code !== 0) throw new Error(`npm install in ${dir} failed:\n${output}`);
        writeFileSync(ready, '');
        installSeconds = (Date.now() - installStarted) / 1000;
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
    } else if (!existsSync(ready)) {
      return sandbox();
    }
  }
  rmSync(scratch, { recursive: true, force: true });
  return { dir, tarballs, packSeconds, installSeconds };
}
