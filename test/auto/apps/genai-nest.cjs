// An OpenAI-compatible app on NestJS 12 (required through require(esm)), on Express or on
// Fastify (PLATFORM=fastify), CommonJS, no promwire code: the GenAI tests' fake handler behind
// /v1/chat/completions and /v1/embeddings. Decorators applied by hand (plain JavaScript).
const { Body, Controller, Post, Res } = require('@nestjs/common');
const { listen } = require('./nest-listen.cjs');
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

void listen([OpenAiController]);
