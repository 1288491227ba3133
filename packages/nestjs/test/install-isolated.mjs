// Installs the dependencies a directory's package.json lists into its own node_modules, apart
// from the workspace's, unless every one is already there with the major version it asks for.
// For the test installs that cannot live in the root node_modules (see nest10/, compress/).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export function installIsolated(dir) {
  const wanted = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).dependencies;
  const missing = Object.entries(wanted).filter(([name, range]) => installedMajor(dir, name) !== /\^(\d+)/.exec(range)?.[1]);
  if (missing.length === 0) {
    console.log(`${basename(dir)}: already installed`);
    return;
  }
  console.log(`${basename(dir)}: installing ${missing.map(([name]) => name).join(', ')}`);
  execFileSync(
    process.platform === 'win32' ? 'npm.cmd' : 'npm',
    ['install', '--prefix', dir, '--no-package-lock', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'],
    { stdio: 'inherit', cwd: dir },
  );
}

function installedMajor(dir, name) {
  const file = join(dir, 'node_modules', name, 'package.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')).version.split('.')[0];
}
