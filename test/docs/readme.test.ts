/**
 * Every code block of the READMEs that is meant to run (test/docs/snippets.ts), run as a user
 * would: the packed packages and the frameworks from the registry in a project outside the
 * repository (test/packaging/sandbox.ts), in each module system (CommonJS as written, the same
 * program as an ES module, TypeScript `nodenext` strict checked with `tsc --noEmit`), on Node 20
 * and Node 24. The test starts the snippet's app (its servers moved to 127.0.0.1 and a free port
 * by test/docs/loopback.cjs), sends the request the snippet's expected series implies, scrapes,
 * and looks for that series, route template included. A README that drifts from the code fails
 * here; the table of every snippet × module system × Node is printed at the end.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/processes';
import { run, sandbox, type Sandbox } from '../packaging/sandbox';
import { hasSeries, readmes, requestFor, snippetsOf, toEsm, type Snippet } from './snippets';

jest.setTimeout(1200000);

const TOKEN = 'docs-test-token';
const SYSTEMS = ['CommonJS', 'ESM', 'TypeScript'] as const;
type System = (typeof SYSTEMS)[number];

const versionOf = (bin: string) => spawnSync(bin, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
/**
 * Node 20 and 24: this process's Node when it is one of them, and the Node 24 binary of
 * scripts/node-versions.mjs (the same one when the matrix runs jest on Node 24).
 */
const node24 = spawnSync(process.execPath, ['--input-type=module', '-e', [
  `import { NODE_VERSIONS, nodeBinary } from ${JSON.stringify(join(ROOT, 'scripts/node-versions.mjs'))};`,
  "console.log(nodeBinary(NODE_VERSIONS.find((v) => v.startsWith('24.'))));",
].join('\n')], { encoding: 'utf8' }).stdout.trim();
const NODES = [...new Map([process.execPath, node24].map((bin) => [versionOf(bin) || bin, bin])).entries()]
  .map(([version, bin]) => ({ version, bin }))
  .filter(({ version }) => /^(20|24)\./.test(version));

const snippets = readmes().flatMap(snippetsOf);
const runnable = snippets.filter((s) => s.skip === undefined && s.expected !== undefined);
const slug = (s: Snippet) => s.id.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
const typedFile = (s: Snippet) => (s.lang === 'js' ? `${slug(s)}.mts` : `nest/${slug(s)}.ts`);
const systemsOf = (s: Snippet): System[] => (s.lang === 'js' ? [...SYSTEMS] : ['CommonJS', 'TypeScript']);

let box: Sandbox;
let dir: string;
const started = Date.now();
/** tsc's output per Node version. */
const typeChecks = new Map<string, string>();
const results = new Map<string, string>();

beforeAll(async () => {
  box = await sandbox();
  dir = mkdtempSync(join(box.dir, 'docs-'));
  mkdirSync(join(dir, 'nest'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'commonjs' }));
  const typed: string[] = [];
  for (const s of runnable) {
    if (s.lang === 'js') {
      writeFileSync(join(dir, `${slug(s)}.cjs`), s.code);
      writeFileSync(join(dir, `${slug(s)}.mjs`), toEsm(s.code));
    }
    writeFileSync(join(dir, typedFile(s)), s.lang === 'js' ? toEsm(s.code) : s.code);
    typed.push(typedFile(s));
  }
  // What a user's tsconfig holds (README: "TypeScript"); decorators for NestJS.
  const compilerOptions = {
    strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'ES2022', types: ['node'],
    skipLibCheck: true, experimentalDecorators: true, emitDecoratorMetadata: true,
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, noEmit: true }, files: typed }));
  writeFileSync(join(dir, 'tsconfig.nest.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, outDir: 'nest-out', rootDir: 'nest' }, include: ['nest'] }));
  const tsc = join(box.dir, 'node_modules/typescript/bin/tsc');
  for (const node of NODES) {
    const { output } = await run(node.bin, [tsc, '--noEmit', '-p', dir], dir);
    // An error that names no snippet (a bad tsconfig, a broken declaration) fails every snippet.
    const stray = output.split('\n').filter((line) => /error TS/.test(line) && !typed.some((file) => line.startsWith(`${file}(`)));
    if (stray.length > 0) throw new Error(`tsc on Node ${node.version}:\n${output}`);
    typeChecks.set(node.version, output);
  }
  const emitted = await run(process.execPath, [tsc, '-p', join(dir, 'tsconfig.nest.json')], dir);
  if (emitted.code !== 0) throw new Error(`tsc could not compile the NestJS snippets:\n${emitted.output}`);
});

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  const header = ['snippet', 'lang', ...NODES.flatMap((n) => systemsOf({ lang: 'js' } as Snippet).map((s) => `${s} / Node ${n.version.split('.')[0]}`))];
  const rows = runnable.map((s) => [
    s.id, s.lang,
    ...NODES.flatMap((n) => SYSTEMS.map((system) => results.get(`${s.id}|${system}|${n.version}`) ?? (systemsOf(s).includes(system) ? 'not run' : '—'))),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const skipped = snippets.filter((s) => s.skip !== undefined).map((s) => `  ${s.id}: not run (${s.skip})`);
  process.stdout.write(
    `\nREADME snippets (packed packages, ${box ? `pack ${box.packSeconds.toFixed(1)} s, install ${box.installSeconds.toFixed(1)} s` : 'no sandbox'}, ` +
      `whole suite ${((Date.now() - started) / 1000).toFixed(1)} s)\n${line(header)}\n${rows.map(line).join('\n')}\n${skipped.join('\n')}\n`,
  );
});

test('the READMEs have runnable snippets, and every other js/ts block says why it is not run', () => {
  // Node 20 in the matrix's run on the machine's Node, and Node 24 in every run.
  expect(NODES.map((n) => n.version.split('.')[0])).toEqual(process.versions.node.startsWith('20.') ? ['20', '24'] : ['24']);
  expect(runnable.length).toBeGreaterThanOrEqual(6);
  for (const s of snippets) {
    if (s.skip === undefined && s.expected === undefined) throw new Error(`${s.id}: no expected series comment and no docs-test skip marker`);
  }
});

const cases = NODES.flatMap((node) => runnable.flatMap((s) => systemsOf(s).map((system): [string, System, string, Snippet, string] => [s.id, system, node.version, s, node.bin])));

test.each(cases)('%s as %s on Node %s', async (id, system, version, s, bin) => {
  const key = `${id}|${system}|${version}`;
  results.set(key, 'FAILED');
  if (system === 'TypeScript') {
    expect(typeChecks.has(version)).toBe(true);
    const errors = typeChecks.get(version)!.split('\n').filter((line) => line.startsWith(`${typedFile(s)}(`));
    expect(errors).toEqual([]);
  } else {
    const file = s.lang === 'ts' ? join(dir, 'nest-out', `${slug(s)}.js`) : join(dir, `${slug(s)}.${system === 'ESM' ? 'mjs' : 'cjs'}`);
    expect(existsSync(file)).toBe(true);
    await runSnippet(bin, file, s);
  }
  results.set(key, 'pass');
});

/** Starts the snippet, sends its request, and scrapes until the expected series shows (bounded). */
async function runSnippet(bin: string, file: string, s: Snippet): Promise<void> {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', METRICS_TOKEN: TOKEN };
  const child = spawn(bin, ['--require', join(__dirname, 'loopback.cjs'), file], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ports: number[] = [];
  child.on('message', (message: { port: number }) => ports.push(message.port));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let last = '';
  try {
    const request = requestFor(s.expected!);
    const deadline = Date.now() + 30000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${s.id} exited with ${child.exitCode}:\n${output}`);
      for (const port of ports) {
        if (request) await fetch(`http://127.0.0.1:${port}${request.path}`, { method: request.method }).then((r) => r.arrayBuffer()).catch(() => undefined);
      }
      for (const port of ports) {
        const body = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.text()).catch(() => '');
        if (hasSeries(body, s.expected!)) return;
        if (body !== '') last = body;
      }
      if (Date.now() > deadline) {
        throw new Error(`${s.id}: no ${JSON.stringify(s.expected)} in any scrape of ports ${ports.join(', ')}; the app printed:\n${output}\nlast scrape:\n${last.slice(0, 4000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(kill);
    }
  }
}
