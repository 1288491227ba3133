// Builds the workspace package in the current directory: tsc to dist/ (CommonJS with
// declarations), then an ESM entry (dist/index.mjs + dist/index.d.mts) that re-exports the
// CommonJS build by name, so `import` and `require` share one module instance.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const dir = process.cwd();
const tsc = resolve(import.meta.dirname, '../node_modules/typescript/bin/tsc');
rmSync(join(dir, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { stdio: 'inherit' });

const require = createRequire(join(dir, 'package.json'));
const names = Object.keys(require(join(dir, 'dist/index.js'))).filter((n) => n !== 'default' && n !== '__esModule');
const defaultExport = 'default' in require(join(dir, 'dist/index.js'));
const lines = [
  "import cjs from './index.js';",
  ...names.map((n) => `export const ${n} = cjs.${n};`),
];
if (defaultExport) lines.push('export default cjs.default;');
writeFileSync(join(dir, 'dist/index.mjs'), `${lines.join('\n')}\n`);
writeFileSync(
  join(dir, 'dist/index.d.mts'),
  `export * from './index.js';\n${defaultExport ? "export { default } from './index.js';\n" : ''}`,
);
