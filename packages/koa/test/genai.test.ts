/**
 * GenAI metrics on Koa 3 and 2: the fake OpenAI-compatible handler behind a JSON body parser
 * (a small one here, setting `ctx.request.body` as @koa/bodyparser does); JSON answers through
 * `ctx.body`, streams as a body stream Koa pipes. `/metrics` shows exactly what the handler
 * sent, and the client receives the same bytes with promwire as without.
 */
import { createServer } from 'node:http';
import type Koa from 'koa';
import { Registry } from 'prom-client';
import { metrics } from '../src';
import { listen, scrape, type Listening } from '../../../test/helpers/http';
import {
  EXPECTED_FIGURES, expectTortureAsBare, fakeAnswer, genAiFigures, sendCases, streamBody,
} from '../../../test/helpers/fake-openai';
import { KOA_VERSIONS, type KoaClass } from './support';

/** A body that is not JSON gets a 400, as from @koa/bodyparser. */
async function jsonBody(ctx: Koa.Context, next: Koa.Next): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
  let body: unknown;
  try {
    body = chunks.length === 0 ? undefined : JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    ctx.throw(400, 'invalid JSON body');
  }
  (ctx.request as { body?: unknown }).body = body;
  await next();
}

function openAiApp(KoaApp: KoaClass, instrument: boolean): Koa {
  const app = new KoaApp();
  if (instrument) app.use(metrics({ registry: new Registry(), defaultMetrics: false }));
  app.use(jsonBody);
  app.use(async (ctx) => {
    if (ctx.method !== 'POST' || (ctx.path !== '/v1/chat/completions' && ctx.path !== '/v1/embeddings')) return;
    const answer = fakeAnswer(ctx.path, (ctx.request as { body?: unknown }).body);
    ctx.status = answer.status;
    ctx.type = answer.contentType;
    ctx.body = answer.json !== undefined ? answer.json : streamBody(answer);
  });
  return app;
}

describe.each(KOA_VERSIONS)('GenAI metrics on %s', (_name, KoaApp) => {
  const servers: Listening[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  async function start(app: Koa): Promise<string> {
    const s = await listen(createServer(app.callback()));
    servers.push(s);
    return s.url;
  }

  it('records exactly what the handler sent, and the client gets the same bytes as without promwire', async () => {
    const url = await start(openAiApp(KoaApp, true));
    const bareUrl = await start(openAiApp(KoaApp, false));
    expect(await sendCases(url)).toEqual(await sendCases(bareUrl));
    expect(genAiFigures(await scrape(url))).toEqual(EXPECTED_FIGURES);
  });

  it('SSE torture (one byte per write, CRLF, comments, a 10 MiB event), a body that is not JSON, a client that leaves mid-stream: counted as sent, the same bytes as without promwire', async () => {
    const url = await start(openAiApp(KoaApp, true));
    const bareUrl = await start(openAiApp(KoaApp, false));
    await expectTortureAsBare(url, () => scrape(url), bareUrl);
  });
});
