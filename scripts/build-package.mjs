// Builds the workspace package in the current directory: tsc to dist/ (CommonJS with
// declarations), then for every entry point of its package.json `exports` an ESM file
// (dist/…/index.mjs + index.d.mts) that re-exports the CommonJS build by name, so `import` and
// `require` share one module instance.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

const dir = process.cwd();
const tsc = resolve(import.meta.dirname, '../node_modules/typescript/bin/tsc');
rmSync(join(dir, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { stdio: 'inherit' });

const require = createRequire(join(dir, 'package.json'));
const { exports } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
for (const [subpath, target] of Object.entries(exports)) {
  if (subpath === './package.json') continue;
  const cjsFile = join(dir, target.require.default);
  const esmFile = join(dir, target.import.default);
  const cjsName = `./${basename(cjsFile)}`;
  const module = require(cjsFile);
  const names = Object.keys(module).filter((n) => n !== 'default' && n !== '__esModule');
  const defaultExport = 'default' in module;
  const lines = [`import cjs from '${cjsName}';`, ...names.map((n) => `export const ${n} = cjs.${n};`)];
  if (defaultExport) lines.push('export default cjs.default;');
  writeFileSync(esmFile, `${lines.join('\n')}\n`);
  writeFileSync(
    join(dir, target.import.types),
    `export * from '${cjsName}';\n${defaultExport ? `export { default } from '${cjsName}';\n` : ''}`,
  );
}
