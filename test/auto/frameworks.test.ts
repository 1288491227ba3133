/**
 * Real apps with no promwire import, started under the preload (`--require` and `--import`,
 * CommonJS and ES module apps), on the built packages: Express 5 and 4, Fastify 5 and 4, Koa 3
 * with @koa/router and Koa 2 with koa-router, NestJS 12 on Express and on Fastify, a plain
 * node:http server. Each gets the same traffic (see traffic.ts); the scrape of the preload's
 * metrics port must show the route templates, `__unmatched__`, 500, 499, in flight 0 and
 * exactly one count per request.
 */
import { type Flag, runApp } from './preload';
import { NEST, PLAIN, type Routes, TEMPLATES, expectRecorded, sendTraffic } from './traffic';

jest.setTimeout(120000);

interface Case {
  name: string;
  app: string;
  flags: Flag[];
  routes: Routes;
  env?: NodeJS.ProcessEnv;
}

const both: Flag[] = ['--require', '--import'];
const cases: Case[] = [
  { name: 'Express 5, CommonJS', app: 'express.cjs', flags: both, routes: TEMPLATES },
  { name: 'Express 5, ES module', app: 'express.mjs', flags: both, routes: TEMPLATES },
  { name: 'Express 4, CommonJS', app: 'express.cjs', flags: ['--require'], routes: TEMPLATES, env: { EXPRESS: 'express4' } },
  { name: 'Express 4, ES module', app: 'express4.mjs', flags: ['--import'], routes: TEMPLATES },
  { name: 'Fastify 5, CommonJS', app: 'fastify.cjs', flags: both, routes: TEMPLATES },
  { name: 'Fastify 5, ES module', app: 'fastify.mjs', flags: both, routes: TEMPLATES },
  { name: 'Fastify 4, CommonJS', app: 'fastify.cjs', flags: ['--import'], routes: TEMPLATES, env: { FASTIFY: 'fastify4' } },
  { name: 'Koa 3 + @koa/router, CommonJS', app: 'koa.cjs', flags: both, routes: TEMPLATES },
  { name: 'Koa 3 + @koa/router, ES module', app: 'koa.mjs', flags: both, routes: TEMPLATES },
  { name: 'Koa 2 + koa-router, CommonJS', app: 'koa.cjs', flags: ['--require'], routes: TEMPLATES, env: { KOA: 'koa2', ROUTER: 'koa-router' } },
  { name: 'NestJS on Express, CommonJS (require of ES modules)', app: 'nest.cjs', flags: both, routes: NEST },
  { name: 'NestJS on Express, ES module', app: 'nest.mjs', flags: both, routes: NEST },
  { name: 'NestJS on Fastify, CommonJS (require of ES modules)', app: 'nest.cjs', flags: both, routes: NEST, env: { PLATFORM: 'fastify' } },
  { name: 'NestJS on Fastify, ES module', app: 'nest.mjs', flags: both, routes: NEST, env: { PLATFORM: 'fastify' } },
  { name: 'plain node:http, CommonJS', app: 'http.cjs', flags: both, routes: PLAIN },
  { name: 'plain node:http, ES module', app: 'http.mjs', flags: both, routes: PLAIN },
];

const runs = cases.flatMap((c) => c.flags.map((flag): [string, Flag, Case] => [c.name, flag, c]));

test.concurrent.each(runs)('%s under %s: templates, __unmatched__, 500, 499, in flight 0, once each', async (_name, flag, c) => {
  const run = await runApp(c.app, flag, { env: c.env });
  try {
    expectRecorded(await sendTraffic(run, c.routes), c.routes);
    expect(run.output()).not.toMatch(/promwire: (?!metrics on)/);
  } finally {
    await run.stop();
  }
});
