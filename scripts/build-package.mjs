// Builds the workspace package in the current directory: tsc to dist/ (CommonJS with
// declarations), then for every entry point of its package.json `exports` an ESM file
// (dist/…/index.mjs + index.d.mts) that re-exports the CommonJS build by name, so `import` and
// `require` share one module instance (its .d.mts declares the same names, and the default
// export by the named export it is).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

const dir = process.cwd();
const tsc = resolve(import.meta.dirname, '../node_modules/typescript/bin/tsc');
rmSync(join(dir, 'dist'), { recursive: true, force: true });
// No source maps: they would point to ../src, which the tarball does not ship, and the
// JavaScript tsc writes is close enough to the source to read as it is.
execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json'), '--sourceMap', 'false', '--declarationMap', 'false'], {
  stdio: 'inherit',
});

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
  writeFileSync(join(dir, target.import.types), esmDeclarations(cjsName, module, names));
}

/**
 * The ESM declaration entry. `export { default } from` a CommonJS declaration file would give,
 * under `nodenext`, the whole `module.exports` object as the default export (Node's interop), so
 * `import metrics from '…'` would not have the type of the function it is at run time. The
 * default is declared as the named export it is the same object as, which every resolution
 * mode (`nodenext` ESM, `bundler`) reads the same way.
 */
function esmDeclarations(cjsName, module, names) {
  const lines = [`export * from '${cjsName}';`];
  if (!('default' in module)) return `${lines.join('\n')}\n`;
  const same = names.find((n) => module[n] === module.default);
  if (same === undefined) {
    throw new Error(`build-package: ${cjsName}: the default export is not also a named export, so its ESM type cannot be declared`);
  }
  lines.push(`import { ${same} } from '${cjsName}';`, `export default ${same};`);
  return `${lines.join('\n')}\n`;
}
