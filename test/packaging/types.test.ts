/**
 * Every package's types as a user compiles against them: the packed tarballs installed into a
 * project outside the repository (test/packaging/sandbox.ts), user code type-checked with
 * `tsc --noEmit` under `nodenext` as an ES module, `nodenext` as CommonJS, and `bundler`
 * resolution. The repository's own type tests map `@promwire/*` to `src` and cannot see the
 * declaration files the build writes; this one reads only what npm installs.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, sandbox, type Sandbox } from './sandbox';

jest.setTimeout(900000);

/** User code: the default and named exports of every package, used as their types allow. */
const ESM_USER = `
import Fastify from 'fastify';
import express from 'express';
import Koa from 'koa';
import { Registry } from 'prom-client';
import metricsPlugin, { metrics as fastifyMetrics, instrumentFastify } from '@promwire/fastify';
import { metrics as expressMetrics, routeTemplate } from '@promwire/express';
import { metrics as koaMetrics } from '@promwire/koa';
import { MetricsModule } from '@promwire/nestjs';
import { startMetricsServer, createHttpMetrics, metricsHandler } from '@promwire/core';
import { createLifecycle } from '@promwire/core/adapter';
import { instrumentOnnxRuntime, instrumentTfjs } from '@promwire/ml';
import * as auto from '@promwire/auto';

const registry = new Registry();
const fastify = Fastify();
void fastify.register(metricsPlugin, { registry, responseSize: true });
void fastify.register(fastifyMetrics, { registry });
// @ts-expect-error an unknown option is a type error
void fastify.register(metricsPlugin, { requestSizes: true });
const app = express();
app.use(expressMetrics({ registry }));
new Koa().use(koaMetrics({ registry }));
const server: Promise<{ port: number; url: string; close(): Promise<void> }> = startMetricsServer({ port: 0, host: '127.0.0.1', registry });
const used: unknown[] = [instrumentFastify, routeTemplate, MetricsModule.forRoot, createHttpMetrics, metricsHandler, createLifecycle, instrumentOnnxRuntime, instrumentTfjs, auto, server];
export { used };
`;

/** The same in CommonJS: `require` gives the same names, and `.default` for Fastify's plugin. */
const CJS_USER = `
import Fastify = require('fastify');
import promwireFastify = require('@promwire/fastify');
import { metrics as expressMetrics } from '@promwire/express';
import { startMetricsServer } from '@promwire/core';
import { createLifecycle } from '@promwire/core/adapter';

const fastify = Fastify();
void fastify.register(promwireFastify.default, { responseSize: true });
void fastify.register(promwireFastify.metrics, {});
const used: unknown[] = [expressMetrics, startMetricsServer({ port: 0 }), createLifecycle];
export = used;
`;

const COMPILER = { strict: true, skipLibCheck: true, noEmit: true, types: ['node'], target: 'ES2022', lib: ['ES2022'] };

const MODES: [string, { type: 'module' | 'commonjs'; file: string; source: string; compilerOptions: Record<string, unknown> }][] = [
  ['nodenext, ES module', { type: 'module', file: 'user.ts', source: ESM_USER, compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' } }],
  ['nodenext, CommonJS', { type: 'commonjs', file: 'user.ts', source: CJS_USER, compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' } }],
  ['bundler', { type: 'module', file: 'user.ts', source: ESM_USER, compilerOptions: { module: 'preserve', moduleResolution: 'bundler' } }],
];

let box: Sandbox;
beforeAll(async () => {
  box = await sandbox();
});

test.each(MODES)('user code type-checks against the packed packages: %s', async (name, mode) => {
  const dir = join(box.dir, 'types', name.replace(/[^a-z]+/gi, '-'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: mode.type }));
  writeFileSync(join(dir, mode.file), mode.source);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...COMPILER, ...mode.compilerOptions }, files: [mode.file] }));
  const { code, output } = await run(process.execPath, [join(box.dir, 'node_modules/typescript/bin/tsc'), '-p', dir], dir);
  expect(output).toBe('');
  expect(code).toBe(0);
});
