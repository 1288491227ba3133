'use strict';
// The OpenAI-compatible routes, mounted by app.js (and so by server.js):
//   POST /v1/chat/completions, POST /v1/completions   streamed (SSE) or not
//   POST /v1/embeddings, GET /v1/models
// answered by the language model here, or proxied to `upstream` (gateway mode, gateway.js).
const express = require('express');
const { MODEL, ApiError, readChat, readCompletion, readEmbeddings } = require('./requests');
const { completion, embeddings, models, error } = require('./responses');
const { proxy } = require('./gateway');

const PATHS = ['/v1/chat/completions', '/v1/completions', '/v1/embeddings', '/v1/models'];

/**
 * The routes. `generator`: the model (openai/generator.js), when answering here; `upstream`: the
 * base URL of another OpenAI-compatible server, in gateway mode; `created()`: the `created` time
 * of a reply, in Unix seconds.
 */
function openaiRoutes({ generator, upstream, created = () => Math.floor(Date.now() / 1000) }) {
  const router = express.Router();
  if (upstream !== undefined) {
    for (const path of PATHS) router.all(path, proxy(upstream));
    return router;
  }
  let replies = 0;
  const meta = () => ({ id: String(++replies).padStart(8, '0'), created: created(), model: MODEL });

  const complete = (kind, read) => async (req, res) => {
    const request = read(req.body);
    const writer = completion(kind, meta(), request);
    const promptTokens = request.prompt.length;
    let gone = false;
    res.on('close', () => {
      gone = !res.writableFinished;
    });
    const tokens = generator.generate(request.prompt, { ...request, shouldStop: () => gone });
    if (!request.stream) {
      let text = '';
      let step;
      while (!(step = await tokens.next()).done) text += step.value;
      if (step.value.finishReason === null) return res.destroy(); // the client went away
      return res.json(writer.whole(text, step.value.finishReason, promptTokens, step.value.tokens));
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const start = writer.start();
    if (start !== '') res.write(start);
    let step;
    while (!(step = await tokens.next()).done) if (step.value !== '') res.write(writer.delta(step.value));
    if (step.value.finishReason === null) return res.destroy(); // the client went away
    res.end(writer.end(step.value.finishReason, promptTokens, step.value.tokens));
  };

  router.post('/v1/chat/completions', complete('chat', readChat));
  router.post('/v1/completions', complete('text', readCompletion));
  router.post('/v1/embeddings', async (req, res) => {
    const { inputs, format } = readEmbeddings(req.body);
    const vectors = [];
    for (const ids of inputs) vectors.push(await generator.embed(ids));
    const tokens = inputs.reduce((n, ids) => n + ids.length, 0);
    res.json(embeddings(MODEL, vectors, format, tokens));
  });
  router.get('/v1/models', (req, res) => res.json(models(MODEL, created())));
  return router;
}

/** Whether `path` is one of these routes (their errors take the OpenAI shape). */
const isOpenAIPath = (path) => PATHS.includes(path);

/** Answers `err` on an OpenAI route: an ApiError as it is, a body-parser error as a 400 or 413, anything else as a 500. */
function sendOpenAIError(err, res) {
  if (err instanceof ApiError) return res.status(err.status).json(err.body);
  if (err.status >= 400 && err.status < 500) return res.status(err.status).json(error(err.message));
  res.status(500).json(error('internal error', 'server_error'));
}

module.exports = { openaiRoutes, isOpenAIPath, sendOpenAIError };
