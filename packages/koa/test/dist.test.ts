/**
 * The built package (dist/, built by `npm run build` or `node ../../scripts/build-package.mjs`
 * in packages/koa) as a user loads it: `require` and `import` both give exactly `metrics` and
 * `routeTemplate`, the same objects, and the middleware they give records and serves a real
 * Koa app.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/** Serves one routed request through the built middleware and prints the export names and the scrape. */
const EXERCISE = `
const names = Object.keys(pkg).filter((n) => n !== 'default' && n !== '__esModule').sort();
const { Registry } = prom;
const registry = new Registry();
const app = new Koa();
app.use(pkg.metrics({ registry, defaultMetrics: false }));
// Resolves when a response has closed: metrics(), mounted before, has recorded it by then.
let closed;
const responseClosed = new Promise((resolve) => (closed = resolve));
app.use((ctx, next) => {
  ctx.res.once('close', closed);
  return next();
});
const router = new Router();
router.get('/users/:id', (ctx) => { ctx.body = 'u'; });
app.use(router.routes());
const server = app.listen(0, '127.0.0.1', async () => {
  const base = 'http://127.0.0.1:' + server.address().port;
  await (await fetch(base + '/users/7')).text();
  await responseClosed;
  const scrape = await (await fetch(base + '/metrics')).text();
  server.close();
  console.log(JSON.stringify({ names, types: names.map((n) => typeof pkg[n]), same: sameAsRequire(), scrape }));
});
`;

const CJS = `
const pkg = require('@promwire/koa');
const Koa = require('koa');
const { Router } = require('@koa/router');
const prom = require('prom-client');
const sameAsRequire = () => true;
${EXERCISE}`;

const ESM = `
import * as pkg from '@promwire/koa';
import { metrics } from '@promwire/koa';
import Koa from 'koa';
import { Router } from '@koa/router';
import * as prom from 'prom-client';
import { createRequire } from 'node:module';
const cjs = createRequire(process.cwd() + '/package.json')('@promwire/koa');
const sameAsRequire = () => metrics === cjs.metrics && pkg.routeTemplate === cjs.routeTemplate;
${EXERCISE}`;

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: ROOT }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

beforeAll(() => {
  if (!existsSync(join(ROOT, 'packages/koa/dist/index.js'))) {
    throw new Error('packages/koa/dist is missing: run `npm run build` (or `node ../../scripts/build-package.mjs` in packages/koa) first');
  }
});

test.each([
  ['require', ['-e', CJS]],
  ['import', ['--input-type=module', '-e', ESM]],
])('%s of the built package gives metrics and routeTemplate, and they work', async (_, args) => {
  const out = JSON.parse((await run(args)).trim()) as { names: string[]; types: string[]; same: boolean; scrape: string };
  expect(out.names).toEqual(['metrics', 'routeTemplate']);
  expect(out.types).toEqual(['function', 'function']);
  expect(out.same).toBe(true);
  expect(out.scrape).toContain('http_requests_total{method="GET",route="/users/:id",status_code="200"} 1');
});
