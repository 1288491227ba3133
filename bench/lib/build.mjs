// Builds the packages the run needs, the way `npm run build` does (each package's own build
// script), but only those whose dist/ is older than their sources, so a run never rebuilds
// (and briefly removes) a fresh dist/. An adapter that fails to build is reported and its
// framework is skipped; core failing to build stops the run.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './frameworks.mjs';

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export function buildPackages(dirs) {
  for (const dir of dirs) {
    const pkg = join(ROOT, 'packages', dir);
    if (!existsSync(join(pkg, 'src', 'index.ts'))) continue;
    const built = join(pkg, 'dist', 'index.mjs');
    const sources = Math.max(newestMtime(join(pkg, 'src')), newestMtime(join(pkg, 'tsconfig.json')), newestMtime(join(pkg, 'package.json')));
    if (existsSync(built) && statSync(built).mtimeMs >= sources) continue;
    console.log(`building packages/${dir} (dist/ missing or older than src/)`);
    const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-package.mjs')], { cwd: pkg, stdio: 'inherit' });
    if (result.status !== 0) {
      if (dir === 'core') {
        console.error('packages/core failed to build; nothing to measure');
        process.exit(1);
      }
      console.warn(`packages/${dir} failed to build; its framework is skipped`);
    }
  }
}
