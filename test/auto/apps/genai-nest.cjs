// An OpenAI-compatible app on NestJS 12 (required through require(esm)), on Express or on
// Fastify (PLATFORM=fastify), CommonJS, no promwire code: the GenAI tests' fake handler behind
// /v1/chat/completions and /v1/embeddings. Decorators applied by hand (plain JavaScript).
const { Body, Controller, Module, Post, Res } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { fakeAnswer, writeStream } = require('../../helpers/fake-openai-server.cjs');

function answer(path, body, res) {
  const a = fakeAnswer(path, body);
  if (a.json !== undefined) return void res.status(a.status).send(a.json);
  res.hijack?.(); // Fastify: the handler writes the reply itself
  void writeStream(res.raw ?? res, a);
}

class OpenAiController {
  chat(body, res) {
    answer('/v1/chat/completions', body, res);
  }
  embeddings(body, res) {
    answer('/v1/embeddings', body, res);
  }
}
for (const [method, path] of [['chat', 'chat/completions'], ['embeddings', 'embeddings']]) {
  Body()(OpenAiController.prototype, method, 0);
  Res()(OpenAiController.prototype, method, 1);
  Reflect.decorate([Post(path)], OpenAiController.prototype, method, Object.getOwnPropertyDescriptor(OpenAiController.prototype, method));
}
Reflect.decorate([Controller('v1')], OpenAiController);

class AppModule {}
Reflect.decorate([Module({ controllers: [OpenAiController] })], AppModule);

async function main() {
  const adapter = process.env.PLATFORM === 'fastify' ? new (require('@nestjs/platform-fastify').FastifyAdapter)() : undefined;
  const app = adapter === undefined ? await NestFactory.create(AppModule, { logger: false }) : await NestFactory.create(AppModule, adapter, { logger: false });
  await app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
  console.log(`listening on ${(await app.getUrl()).replace('[::1]', '127.0.0.1')}`);
}
void main();
