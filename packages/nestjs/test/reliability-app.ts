/**
 * The NestJS apps of the reliability suite (test/reliability/apps.ts), on platform-express and
 * platform-fastify, with the routes every app there has:
 *   GET  /users/:id   200, body "user <id>"
 *   GET  /stream      200, the suite's endless slow stream piped
 *   GET  /throw       handler throws synchronously (500)
 *   GET  /reject      handler rejects after 5 ms (500)
 *   GET  /hang        never answers (the client gives up)
 *   POST /echo        200, echoes the raw request body as it streams
 *
 * apps.ts requires this file at run time: NestJS 11+ is ES modules only, which the root
 * type-check (CommonJS, module node16) cannot import. In that jest run ts-jest compiles every
 * TypeScript file with the tsconfig of the first one it compiled (its config sets are cached
 * per jest project, whatever the transform's own options), so this file and the package's src
 * get standard decorators, not this package's legacy ones: Nest's decorators are therefore
 * applied here as plain calls, as the compiler would apply them.
 */
import {
  Controller, type DynamicModule, Get, HttpCode, type INestApplication, Module, Param, Post, Req, Res, StreamableFile,
  type Type, applyDecorators,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import type { Listening } from '../../../test/helpers/http';
import { MetricsModule, type MetricsModuleOptions } from '../src';

export type NestPlatform = 'express' | 'fastify';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `@method() name(@params[0] a, @params[1] b)`, applied as the compiler does: parameters first. */
function route(prototype: object, name: string, method: MethodDecorator, ...params: ParameterDecorator[]): void {
  params.forEach((param, index) => param(prototype, name, index));
  method(prototype, name, Object.getOwnPropertyDescriptor(prototype, name)!);
}

function scenarioController(platform: NestPlatform, slowStream: () => Readable): Type {
  class ScenarioController {
    user(id: string): string {
      return `user ${id}`;
    }

    stream(): StreamableFile {
      return new StreamableFile(slowStream());
    }

    throwing(): never {
      throw new Error('sync failure');
    }

    async reject(): Promise<never> {
      await sleep(5);
      throw new Error('async failure');
    }

    hang(): Promise<never> {
      return new Promise(() => undefined);
    }

    /** Express: the request stream piped; Fastify: the body is that stream (the `*` parser below). */
    echo(req: IncomingMessage | FastifyRequest, res: ServerResponse | FastifyReply): void {
      if (platform === 'express') (req as IncomingMessage).pipe(res as ServerResponse);
      else void (res as FastifyReply).send((req as FastifyRequest).body);
    }
  }
  const prototype = ScenarioController.prototype;
  route(prototype, 'user', Get('users/:id'), Param('id'));
  route(prototype, 'stream', Get('stream'));
  route(prototype, 'throwing', Get('throw'));
  route(prototype, 'reject', Get('reject'));
  route(prototype, 'hang', Get('hang'));
  // 200 like the other apps' /echo (Nest answers a POST with 201 by default).
  route(prototype, 'echo', applyDecorators(Post('echo'), HttpCode(200)), Req(), Res());
  Controller()(ScenarioController);
  return ScenarioController;
}

class ScenarioModule {
  static {
    Module({})(this);
  }
}

/**
 * Starts the scenario app on 127.0.0.1, port 0: without promwire when `options` is undefined
 * (the bare app each scenario compares with), else with `MetricsModule.forRoot`.
 */
export async function startNestApp(
  platform: NestPlatform,
  slowStream: () => Readable,
  options: MetricsModuleOptions | undefined,
): Promise<Listening> {
  const root: DynamicModule = {
    module: ScenarioModule,
    imports: options === undefined ? [] : [MetricsModule.forRoot({ defaultMetrics: false, ...options })],
    controllers: [scenarioController(platform, slowStream)],
  };
  let adapter: ExpressAdapter | FastifyAdapter;
  if (platform === 'express') {
    adapter = new ExpressAdapter();
  } else {
    const fastify = new FastifyAdapter();
    fastify.getInstance().addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    adapter = fastify;
  }
  const app: INestApplication = await NestFactory.create(root, adapter, {
    logger: false,
    // /echo streams the raw body: no JSON or form parsing first.
    bodyParser: false,
    abortOnError: false,
  });
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer() as Server;
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await app.close();
    },
  };
}
