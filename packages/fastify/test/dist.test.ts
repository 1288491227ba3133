/**
 * The built package (dist/, built by `npm run build` or `node ../../scripts/build-package.mjs`
 * in packages/fastify) as a user loads it: `require` and `import` give the plugin as the default
 * export and as `metrics`, the same function, carrying fastify-plugin's metadata; and Fastify
 * registers it whichever way it was loaded.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/** Registers `plugin` on a Fastify app, serves one request and prints the shape and the scrape. */
const EXERCISE = `
const names = Object.keys(pkg).filter((n) => n !== '__esModule').sort();
const meta = pkg.metrics[Symbol.for('plugin-meta')];
const shape = {
  names,
  sameDefault: pkg.default === pkg.metrics,
  sameAsRequire: sameAsRequire(),
  type: typeof pkg.metrics,
  skipOverride: pkg.metrics[Symbol.for('skip-override')] === true,
  meta: { name: meta.name, fastify: meta.fastify },
};
const registry = new prom.Registry();
const app = Fastify();
app.register(plugin, { registry, defaultMetrics: false });
app.get('/users/:id', async () => 'u');
(async () => {
  await app.inject('/users/7');
  const scrape = (await app.inject('/metrics')).body;
  console.log(JSON.stringify({ ...shape, scrape }));
})();
`;

const CJS = (plugin: string): string => `
const pkg = require('@promwire/fastify');
const Fastify = require('fastify4');
const prom = require('prom-client');
const sameAsRequire = () => true;
const plugin = ${plugin};
${EXERCISE}`;

const ESM = (plugin: string): string => `
import * as pkg from '@promwire/fastify';
import metricsDefault, { metrics } from '@promwire/fastify';
import Fastify from 'fastify';
import * as prom from 'prom-client';
import { createRequire } from 'node:module';
const cjs = createRequire(process.cwd() + '/package.json')('@promwire/fastify');
const sameAsRequire = () => metrics === cjs.metrics && metricsDefault === cjs.metrics;
const plugin = ${plugin};
${EXERCISE}`;

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: ROOT }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

beforeAll(() => {
  if (!existsSync(join(ROOT, 'packages/fastify/dist/index.js'))) {
    throw new Error('packages/fastify/dist is missing: run `npm run build` (or `node ../../scripts/build-package.mjs` in packages/fastify) first');
  }
});

test.each([
  ['require(...).metrics on Fastify 4', ['-e', CJS('pkg.metrics')]],
  ['the whole require(...) object on Fastify 4', ['-e', CJS('pkg')]],
  ['import { metrics } on Fastify 5', ['--input-type=module', '-e', ESM('metrics')]],
  ['import metrics (default) on Fastify 5', ['--input-type=module', '-e', ESM('metricsDefault')]],
])('%s: the plugin, with its metadata, registers and records', async (_, args) => {
  const out = JSON.parse((await run(args)).trim()) as Record<string, unknown> & { scrape: string };
  expect(out).toMatchObject({
    names: ['default', 'instrumentFastify', 'metrics'],
    sameDefault: true,
    sameAsRequire: true,
    type: 'function',
    skipOverride: true,
    meta: { name: '@promwire/fastify', fastify: '4.x || 5.x' },
  });
  expect(out.scrape).toContain('http_requests_total{method="GET",route="/users/:id",status_code="200"} 1');
});
