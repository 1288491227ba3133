/**
 * GenAI metrics on Fastify 4 and 5, over a real socket and through `inject()`: JSON answers go
 * through `reply.send`, streams through `reply.send(stream)` (Fastify pipes it) and through a
 * hijacked reply written by hand; `/metrics` shows exactly what the fake handler sent, and the
 * client receives the same bytes with promwire as without. The torture cases (SSE written one
 * byte per write, with CRLF, comments and multi-line data, a 10 MiB event; a body that is not
 * JSON; a client that leaves mid-stream) run over a socket: inject() cannot disconnect.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Registry } from 'prom-client';
import { metrics } from '@promwire/fastify';
import { parseExposition } from '../../../test/helpers/exposition';
import { scrape as scrapeHttp } from '../../../test/helpers/http';
import {
  EXPECTED_FIGURES, expectTortureAsBare, fakeAnswer, genAiFigures, sendCases, streamBody, writeStream,
} from '../../../test/helpers/fake-openai';
import { VERSIONS, type FastifyFactory } from './fastify-versions';

async function openAiApp(fastify: FastifyFactory, instrument: boolean, hijack: boolean): Promise<FastifyInstance> {
  const app = fastify();
  if (instrument) await app.register(metrics, { registry: new Registry(), defaultMetrics: false });
  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const answer = fakeAnswer(request.url, request.body);
    if (answer.json !== undefined) return reply.code(answer.status).send(answer.json);
    if (!hijack) return reply.code(answer.status).type(answer.contentType).send(streamBody(answer));
    reply.hijack();
    await writeStream(reply.raw, answer);
    return reply;
  };
  app.post('/v1/chat/completions', handler);
  app.post('/v1/embeddings', handler);
  await app.ready();
  return app;
}

function injector(app: FastifyInstance): (path: string, body: unknown) => Promise<Buffer> {
  return async (url, payload) => (await app.inject({ method: 'POST', url, payload: payload as object })).rawPayload;
}

describe.each(VERSIONS)('GenAI metrics on %s', (_name, fastify) => {
  const apps: FastifyInstance[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });
  async function build(instrument: boolean, hijack: boolean): Promise<FastifyInstance> {
    const app = await openAiApp(fastify, instrument, hijack);
    apps.push(app);
    return app;
  }

  /** The app with promwire and the one without, both listening on 127.0.0.1: their URLs. */
  async function listenBoth(hijack: boolean): Promise<{ url: string; bareUrl: string }> {
    const app = await build(true, hijack);
    const bare = await build(false, hijack);
    return { url: await app.listen({ port: 0, host: '127.0.0.1' }), bareUrl: await bare.listen({ port: 0, host: '127.0.0.1' }) };
  }

  /** How the handler answers a stream: sent as the reply, or written on the hijacked response. */
  const STREAM_REPLIES: [string, boolean][] = [
    ['reply.send(stream)', false],
    ['a hijacked reply', true],
  ];

  it.each(STREAM_REPLIES)('over a socket, streams by %s: exactly what the handler sent, the same bytes as without promwire', async (_how, hijack) => {
    const { url, bareUrl } = await listenBoth(hijack);
    expect(await sendCases(url)).toEqual(await sendCases(bareUrl));
    expect(genAiFigures(await scrapeHttp(url))).toEqual(EXPECTED_FIGURES);
  });

  it.each(STREAM_REPLIES)('over a socket, SSE torture by %s (one byte per write, CRLF, comments, a 10 MiB event), a body that is not JSON, a client that leaves mid-stream: counted as sent, the same bytes as without promwire', async (_how, hijack) => {
    const { url, bareUrl } = await listenBoth(hijack);
    await expectTortureAsBare(url, () => scrapeHttp(url), bareUrl);
  });

  it('through inject(): exactly what the handler sent, the same bytes as without promwire', async () => {
    const app = await build(true, false);
    const bare = await build(false, false);
    expect(await sendCases('', injector(app))).toEqual(await sendCases('', injector(bare)));
    const m = parseExposition((await app.inject('/metrics')).body);
    expect(genAiFigures(m)).toEqual(EXPECTED_FIGURES);
  });
});
