/**
 * GenAI metrics on Express 4 and 5: the fake OpenAI-compatible handler answers streamed chat
 * (with and without usage), non-streamed chat, embeddings and an error, parsed by
 * `express.json()`, and the torture cases (SSE written one byte per write, with CRLF, comments
 * and multi-line data, a 10 MiB event; a body that is not JSON; a client that leaves
 * mid-stream); `/metrics` shows exactly what it sent, and the client receives the same bytes
 * with promwire as without.
 */
import { createServer } from 'node:http';
import type { Express, Request, Response } from 'express';
import { Registry } from 'prom-client';
import { metrics } from '@promwire/express';
import { genAiMetrics } from '@promwire/ml';
import { listen, scrape, type Listening } from '../../../test/helpers/http';
import {
  EXPECTED_FIGURES, expectTortureAsBare, fakeAnswer, genAiFigures, postJson, sendCases, writeStream,
} from '../../../test/helpers/fake-openai';

type ExpressModule = typeof import('express');

const versions: [string, ExpressModule][] = [
  ['express 5', require('express') as ExpressModule],
  ['express 4', require('express4') as ExpressModule],
];

function openAiApp(express: ExpressModule, instrument?: Parameters<typeof metrics>[0]): Express {
  const app = express();
  if (instrument !== undefined) app.use(metrics(instrument));
  app.use(express.json());
  const handler = (route: string) => (req: Request, res: Response): void => {
    const answer = fakeAnswer(route, req.body);
    if (answer.json !== undefined) res.status(answer.status).json(answer.json);
    else void writeStream(res, answer);
  };
  app.post('/v1/chat/completions', handler('/v1/chat/completions'));
  app.post('/v1/embeddings', handler('/v1/embeddings'));
  app.post('/api/:deployment/generate', handler('/v1/chat/completions'));
  return app;
}

describe.each(versions)('GenAI metrics on %s', (_name, express) => {
  const servers: Listening[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  async function start(app: Express): Promise<string> {
    const s = await listen(createServer(app));
    servers.push(s);
    return s.url;
  }

  it('records exactly what the handler sent, and the client gets the same bytes as without promwire', async () => {
    const registry = new Registry();
    const url = await start(openAiApp(express, { registry, defaultMetrics: false }));
    const bareUrl = await start(openAiApp(express));
    const received = await sendCases(url);
    const bare = await sendCases(bareUrl);
    expect(received).toEqual(bare);
    expect(genAiFigures(await scrape(url))).toEqual(EXPECTED_FIGURES);
  });

  it('SSE torture (one byte per write, CRLF, comments, a 10 MiB event), a body that is not JSON, a client that leaves mid-stream: counted as sent, the same bytes as without promwire', async () => {
    const url = await start(openAiApp(express, { registry: new Registry(), defaultMetrics: false }));
    const bareUrl = await start(openAiApp(express));
    await expectTortureAsBare(url, () => scrape(url), bareUrl);
  });

  it('reads configured routes (a template), with a prefix, and nothing with genai: false', async () => {
    const registry = new Registry();
    const url = await start(openAiApp(express, {
      registry, defaultMetrics: false, prefix: 'app_',
      genai: genAiMetrics({ routes: [{ path: '/api/:deployment/generate', operation: 'chat' }] }),
    }));
    const body = { model: 'tiny-chat', stream: true, stream_options: { include_usage: true } };
    await sendOne(url + '/api/eu-1/generate', body);
    await sendOne(url + '/v1/chat/completions', body); // not a configured route now
    const m = await scrape(url);
    expect(m.sum('app_gen_ai_server_requests_total')).toBe(1);
    expect(m.value('app_gen_ai_server_tokens_total', { gen_ai_request_model: 'tiny-chat', gen_ai_token_type: 'output' })).toBe(5);

    const off = new Registry();
    const offUrl = await start(openAiApp(express, { registry: off, defaultMetrics: false, genai: false }));
    await sendOne(offUrl + '/v1/chat/completions', body);
    const text = await off.metrics();
    expect(text).not.toContain('gen_ai_');
    expect(text).toContain('http_requests_total');
  });
});

async function sendOne(url: string, body: unknown): Promise<void> {
  const reply = await postJson(url, body);
  expect(reply.status).toBe(200);
}

describe('genai option checks', () => {
  it.each([
    [{ genai: 'yes' }, /@promwire\/express: genai must be true, false or the options of genAiMetrics\(\)/],
    [{ genai: { routes: [] } }, /@promwire\/express: genai.routes must be a non-empty array/],
    [{ genai: { routes: ['/api/generate'] } }, /@promwire\/express: genai.routes\[0\] "\/api\/generate" does not end in/],
    [{ genai: { route: ['/v1/embeddings'] } }, /@promwire\/express: unknown option "route"/],
    [{ genai: { maxEventBytes: 0 } }, /@promwire\/express: genai.maxEventBytes must be a positive integer/],
  ])('%j is refused', (options, message) => {
    expect(() => metrics({ registry: new Registry(), ...(options as object) })).toThrow(message);
  });

  it('genAiMetrics checks its options with the @promwire/ml prefix', () => {
    expect(() => genAiMetrics({ routes: [{ path: '/x', operation: 'chat2' as never }] })).toThrow(
      /^@promwire\/ml: genai.routes\[0\].operation must be one of chat, text_completion, embeddings/,
    );
  });
});
