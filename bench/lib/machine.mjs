// What the numbers were measured on: machine, Node, and the versions of every package involved.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { ROOT, versionOf } from './frameworks.mjs';
import { benchNode } from './processes.mjs';

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: execFileSync(benchNode(), ['-p', 'process.version'], { encoding: 'utf8' }).trim(),
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
}

function git(...args) {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

export function packageVersions(frameworks) {
  const names = new Set(['prom-client', 'autocannon', '@promwire/core']);
  for (const fw of frameworks) {
    names.add(fw.frameworkPackage);
    for (const extra of fw.versionsOf ?? []) names.add(extra);
    for (const v of fw.variants) if (v.package !== undefined) names.add(v.package);
  }
  const versions = {};
  for (const name of [...names].sort()) versions[name] = versionOf(name) ?? 'not installed';
  const dirty = git('status', '--porcelain', '--', 'packages');
  versions.commit = `${git('rev-parse', '--short', 'HEAD') ?? 'unknown'}${dirty ? ' (packages/ with uncommitted changes)' : ''}`;
  return versions;
}

/** The sources being measured: HEAD, the last commit that changed packages/, and whether packages/ has uncommitted changes. */
export function sources() {
  return {
    head: git('rev-parse', '--short', 'HEAD') ?? 'unknown',
    packages: git('log', '-1', '--format=%h', '--', 'packages') ?? 'unknown',
    dirty: (git('status', '--porcelain', '--', 'packages') ?? '') !== '',
  };
}
