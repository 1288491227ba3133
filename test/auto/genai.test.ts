/**
 * GenAI metrics with no code: OpenAI-compatible apps with no promwire import (Express as
 * CommonJS, Fastify as an ES module; see apps/genai.*) under `--require` and `--import
 * @promwire/auto/register`, on the built packages. The preload's scrape shows exactly what the
 * fake handler sent (tokens, TTFT, TPOT, chunk gaps, missing usage, the error type, in flight
 * 0), and the client receives the same bytes as from the app started without the preload.
 */
import { EXPECTED_FIGURES, genAiFigures, sendCases } from '../helpers/fake-openai';
import { type Flag, LISTENING, runApp } from './preload';

jest.setTimeout(120000);

const runs: [string, string, Flag, NodeJS.ProcessEnv][] = [
  ['Express 5, CommonJS', 'genai.cjs', '--require', {}],
  ['Express 5, CommonJS', 'genai.cjs', '--import', {}],
  ['Express 4, CommonJS', 'genai.cjs', '--require', { EXPRESS: 'express4' }],
  ['Fastify 5, ES module', 'genai.mjs', '--import', {}],
  ['Fastify 5, ES module', 'genai.mjs', '--require', {}],
];

let bare: Record<string, Record<string, string>> = {};

beforeAll(async () => {
  for (const app of ['genai.cjs', 'genai.mjs']) {
    const run = await runApp(app, '--require', { preloads: [], ready: [LISTENING] });
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
