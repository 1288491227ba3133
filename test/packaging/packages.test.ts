/**
 * Every published package, as built: `require()` and `import` give the same named exports
 * (one module instance, no dual-package hazard), and @arethetypeswrong/cli and publint accept
 * the packed tarball.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/processes';
import { packAll, run, type Packed } from './sandbox';

jest.setTimeout(120000);

const packages = readdirSync(join(ROOT, 'packages'))
  .map((dir) => join(ROOT, 'packages', dir))
  .map((dir): [string, string] => [JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name, dir]);


test('every published package is built', () => {
  expect(packages.map(([name]) => name).sort()).toEqual(
    ['@promwire/auto', '@promwire/core', '@promwire/express', '@promwire/fastify', '@promwire/koa', '@promwire/ml', '@promwire/nestjs'],
  );
  for (const [, dir] of packages) expect(existsSync(join(dir, 'dist/index.js'))).toBe(true);
});

/** Every entry point of a package's `exports`: `@promwire/core`, `@promwire/core/adapter` … */
function entryPoints(name: string, dir: string): string[] {
  const { exports } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  return Object.keys(exports).filter((key) => key !== './package.json').map((key) => (key === '.' ? name : `${name}${key.slice(1)}`));
}

test('@promwire/core has two entry points: the root and the adapter kit', () => {
  const [, dir] = packages.find(([name]) => name === '@promwire/core')!;
  expect(entryPoints('@promwire/core', dir)).toEqual(['@promwire/core', '@promwire/core/adapter']);
});

describe.each(packages.flatMap(([name, dir]) => entryPoints(name, dir).map((entry): [string, string] => [entry, dir])))('%s', (entry, dir) => {
  test('require() and import give the same named exports, the same objects', async () => {
    const script = [
      `const cjs = require(${JSON.stringify(entry)});`,
      `import(${JSON.stringify(entry)}).then((esm) => {`,
      '  const names = Object.keys(cjs).filter((n) => n !== "default" && n !== "__esModule").sort();',
      '  const esmNames = Object.keys(esm).filter((n) => n !== "default").sort();',
      '  const same = names.every((n) => esm[n] === cjs[n]);',
      '  console.log(JSON.stringify({ names, esmNames, same }));',
      '});',
    ].join('\n');
    const { code, output } = await run(process.execPath, ['-e', script], dir);
    expect(code).toBe(0);
    const result = JSON.parse(output.trim().split('\n').pop()!);
    expect(result.names.length).toBeGreaterThan(0);
    expect(result.esmNames).toEqual(result.names);
    expect(result.same).toBe(true);
  });
});

describe.each(packages)('%s', (_name, dir) => {
  test('@arethetypeswrong/cli finds no problem in the packed package', async () => {
    const { code, output } = await run(join(ROOT, 'node_modules/.bin/attw'), ['--pack', dir, '--format', 'ascii'], ROOT);
    expect(output).toContain('No problems found');
    expect(code).toBe(0);
  });

  test('publint accepts the package', async () => {
    const { code, output } = await run(join(ROOT, 'node_modules/.bin/publint'), [dir], ROOT);
    expect(output).toContain('All good!');
    expect(code).toBe(0);
  });
});

describe('the tarballs', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'promwire-tarballs-'));
  let packed: Packed[];
  beforeAll(async () => {
    packed = await packAll(scratch);
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  test('every tarball carries the MIT LICENSE of the promwire authors', () => {
    expect(packed.map((p) => p.name).sort()).toEqual(packages.map(([name]) => name).sort());
    for (const p of packed) {
      expect(p.files.map((f) => f.path)).toContain('LICENSE');
      const license = execFileSync('tar', ['-xzOf', p.filename, 'package/LICENSE'], { encoding: 'utf8' });
      expect(license).toMatch(/^MIT License\n\nCopyright \(c\) 2026 the promwire authors\n/);
    }
  });

  test('no source map ships, and no shipped file points to one', () => {
    for (const p of packed) {
      expect(p.files.filter((f) => f.path.endsWith('.map'))).toEqual([]);
      const code = execFileSync('tar', ['-xzOf', p.filename, '--wildcards', 'package/dist/*'], { encoding: 'utf8', maxBuffer: 64 << 20 });
      expect(code).not.toContain('sourceMappingURL');
    }
  });
});
