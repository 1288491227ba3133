/**
 * GenAI metrics on NestJS, on Express and on Fastify: a controller answers with the fake
 * OpenAI-compatible handler (JSON through the platform's response, streams written on Node's
 * response), and the torture cases (SSE written one byte per write, with CRLF, comments and
 * multi-line data, a 10 MiB event; a body that is not JSON; a client that leaves mid-stream);
 * `/metrics` shows exactly what it sent, and the client receives the same bytes with
 * `MetricsModule` as without.
 */
import { Body, Controller, Module, Post, Res, type DynamicModule } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { MetricsModule } from '../src';
import { scrape } from '../../../test/helpers/http';
import {
  EXPECTED_FIGURES, expectTortureAsBare, fakeAnswer, genAiFigures, sendCases, writeStream,
} from '../../../test/helpers/fake-openai';
import { nestVersion } from './fastify-compress';

jest.mock('../../../node_modules/light-my-request/node_modules/cookie/dist/index.js', () => {
  const { serialize } = jest.requireActual<{ serialize: (name: string, value: string) => string }>('cookie');
  return { stringifySetCookie: ({ name, value }: { name: string; value: string }) => serialize(name, value) };
});

interface PlatformReply {
  raw?: ServerResponse;
  hijack?: () => void;
  status(code: number): { send(body: unknown): unknown };
}

@Controller('v1')
class OpenAiController {
  @Post('chat/completions')
  chat(@Body() body: unknown, @Res() res: PlatformReply): void {
    answer('/v1/chat/completions', body, res);
  }

  @Post('embeddings')
  embeddings(@Body() body: unknown, @Res() res: PlatformReply): void {
    answer('/v1/embeddings', body, res);
  }
}

function answer(path: string, body: unknown, res: PlatformReply): void {
  const a = fakeAnswer(path, body);
  if (a.json !== undefined) {
    res.status(a.status).send(a.json);
    return;
  }
  res.hijack?.(); // Fastify: the handler writes the reply itself
  void writeStream(res.raw ?? (res as unknown as ServerResponse), a);
}

@Module({ controllers: [OpenAiController] })
class OpenAiModule {}

describe.each(['express', 'fastify'] as const)(`GenAI metrics on NestJS ${nestVersion} on %s`, (platform) => {
  const apps: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });

  async function start(metrics: DynamicModule | undefined): Promise<string> {
    const ref = await Test.createTestingModule({ imports: metrics === undefined ? [OpenAiModule] : [metrics, OpenAiModule] }).compile();
    const app = ref.createNestApplication(platform === 'express' ? new ExpressAdapter() : new FastifyAdapter(), { logger: false });
    await app.listen(0, '127.0.0.1');
    apps.push(app);
    return `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  }

  test('records exactly what the handler sent, and the client gets the same bytes as without promwire', async () => {
    const url = await start(MetricsModule.forRoot({ registry: new Registry(), defaultMetrics: false }));
    const bareUrl = await start(undefined);
    expect(await sendCases(url)).toEqual(await sendCases(bareUrl));
    expect(genAiFigures(await scrape(url))).toEqual(EXPECTED_FIGURES);
  });

  test('SSE torture (one byte per write, CRLF, comments, a 10 MiB event), a body that is not JSON, a client that leaves mid-stream: counted as sent, the same bytes as without promwire', async () => {
    const url = await start(MetricsModule.forRoot({ registry: new Registry(), defaultMetrics: false }));
    const bareUrl = await start(undefined);
    await expectTortureAsBare(url, () => scrape(url), bareUrl);
  });
});
