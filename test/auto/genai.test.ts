/**
 * GenAI metrics with no code: OpenAI-compatible apps with no promwire import (Express as
 * CommonJS, Fastify as an ES module, Koa, NestJS on Express and on Fastify; see apps/genai*)
 * under `--require` and `--import
 * @promwire/auto/register`, on the built packages. The preload's scrape shows exactly what the
 * fake handler sent (tokens, TTFT, TPOT, chunk gaps, missing usage, the error type, in flight
 * 0), and the client receives the same bytes as from the app started without the preload; the
 * same for the torture cases (SSE written one byte per write, with CRLF, comments and
 * multi-line data, a 10 MiB event; a body that is not JSON; a client that leaves mid-stream).
 * PROMWIRE_GENAI=false turns them off, PROMWIRE_GENAI_ROUTES chooses the routes, and a bad
 * route list is one line naming the variable, with promwire off and the app unaffected.
 */
import {
  CASES, EXPECTED_FIGURES, type TortureReplies, expectTortureAsBare, genAiFigures, postJson, sendCases, sendTorture,
} from '../helpers/fake-openai';
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

/** What each app (with its environment) answers without the preload: the cases, and the torture cases. */
const bare = new Map<string, { cases: Record<string, string>; torture: TortureReplies }>();
const key = (app: string, env: NodeJS.ProcessEnv): string => `${app} ${JSON.stringify(env)}`;

beforeAll(async () => {
  for (const [, app, , env] of runs) {
    if (bare.has(key(app, env))) continue;
    const run = await runApp(app, '--require', { env, preloads: [], ready: [LISTENING] });
    try {
      bare.set(key(app, env), { cases: await sendCases(run.appUrl), torture: await sendTorture(run.appUrl) });
    } finally {
      await run.stop();
    }
  }
});

test.each(runs)('%s (%s) under %s: the handler\'s figures exactly, the same bytes as without the preload', async (_name, app, flag, env) => {
  const run = await runApp(app, flag, { env });
  try {
    expect(await sendCases(run.appUrl)).toEqual(bare.get(key(app, env))!.cases);
    expect(genAiFigures(await run.scrape())).toEqual(EXPECTED_FIGURES);
    expect(run.output()).not.toMatch(/promwire: (?!metrics on)/);
  } finally {
    await run.stop();
  }
});

test.each(runs)('%s (%s) under %s: SSE torture (one byte per write, CRLF, comments, a 10 MiB event), a body that is not JSON, a client that leaves mid-stream: counted as sent, the same bytes as without the preload', async (_name, app, flag, env) => {
  const run = await runApp(app, flag, { env });
  try {
    await expectTortureAsBare(run.appUrl, () => run.scrape(), bare.get(key(app, env))!.torture);
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
