/**
 * GenAI metrics with no code: OpenAI-compatible apps with no promwire import (Express as
 * CommonJS, Fastify as an ES module, Koa, NestJS on Express and on Fastify; see apps/genai*)
 * under `--require` and `--import
 * @promwire/auto/register`, on the built packages. The preload's scrape shows exactly what the
 * fake handler sent (tokens, TTFT, TPOT, chunk gaps, missing usage, the error type, in flight
 * 0), and the client receives the same bytes as from the app started without the preload.
 * PROMWIRE_GENAI=false turns them off, PROMWIRE_GENAI_ROUTES chooses the routes, and a bad
 * route list is one line naming the variable, with promwire off and the app unaffected.
 */
import { CASES, EXPECTED_FIGURES, genAiFigures, postJson, sendCases } from '../helpers/fake-openai';
import { type Flag, LISTENING, runApp } from './preload';

jest.setTimeout(120000);

const runs: [string, string, Flag, NodeJS.ProcessEnv][] = [
  ['Express 5, CommonJS', 'genai.cjs', '--require', {}],
  ['Express 5, CommonJS', 'genai.cjs', '--import', {}],
  ['Express 4, CommonJS', 'genai.cjs', '--require', { EXPRESS: 'express4' }],
  ['Fastify 5, ES module', 'genai.mjs', '--import', {}],
  ['Fastify 5, ES module', 'genai.mjs', '--require', {}],
  ['Koa 3 + @koa/router, CommonJS', 'genai-koa.cjs', '--require', {}],
  ['Koa 3 + @koa/router, CommonJS', 'genai-koa.cjs', '--import', {}],
  ['NestJS on Express, CommonJS', 'genai-nest.cjs', '--require', {}],
  ['NestJS on Fastify, CommonJS', 'genai-nest.cjs', '--import', { PLATFORM: 'fastify' }],
];

let bare: Record<string, Record<string, string>> = {};

beforeAll(async () => {
  for (const [, app, , env] of runs) {
    if (bare[app] !== undefined) continue;
    const run = await runApp(app, '--require', { env, preloads: [], ready: [LISTENING] });
    try {
      bare = { ...bare, [app]: await sendCases(run.appUrl) };
    } finally {
      await run.stop();
    }
  }
});

test.each(runs)('%s (%s) under %s: the handler\'s figures exactly, the same bytes as without the preload', async (_name, app, flag, env) => {
  const run = await runApp(app, flag, { env });
  try {
    expect(await sendCases(run.appUrl)).toEqual(bare[app]);
    expect(genAiFigures(await run.scrape())).toEqual(EXPECTED_FIGURES);
    expect(run.output()).not.toMatch(/promwire: (?!metrics on)/);
  } finally {
    await run.stop();
  }
});

test('PROMWIRE_GENAI=false: HTTP metrics only; PROMWIRE_GENAI_ROUTES: only the routes listed', async () => {
  const off = await runApp('genai.cjs', '--require', { env: { PROMWIRE_GENAI: 'false' } });
  try {
    await sendCases(off.appUrl);
    const m = await off.scrape();
    expect(m.samples.filter((s) => s.name.startsWith('gen_ai_'))).toEqual([]);
    expect(m.sum('http_requests_total')).toBe(Object.keys(CASES).length);
  } finally {
    await off.stop();
  }
  const some = await runApp('genai.cjs', '--require', { env: { PROMWIRE_GENAI_ROUTES: '/v1/embeddings' } });
  try {
    await sendCases(some.appUrl);
    const m = await some.scrape();
    expect(m.sum('gen_ai_server_requests_total')).toBe(1);
    expect(m.value('gen_ai_server_requests_total', { gen_ai_operation_name: 'embeddings', gen_ai_request_model: 'tiny-embed' })).toBe(1);
  } finally {
    await some.stop();
  }
});

test('a bad PROMWIRE_GENAI_ROUTES: one line naming it, promwire off, the app unaffected', async () => {
  const run = await runApp('genai.cjs', '--require', { env: { PROMWIRE_GENAI_ROUTES: '/api/generate' }, ready: [LISTENING] });
  try {
    const reply = await postJson(run.appUrl + CASES.nonStreamed.path, CASES.nonStreamed.body);
    expect(reply.status).toBe(200);
    const lines = run.output().split('\n').filter((l) => l.startsWith('promwire:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('PROMWIRE_GENAI_ROUTES must list paths or route templates ending in /chat/completions, /completions or /embeddings, got "/api/generate"');
  } finally {
    await run.stop();
  }
});
