// The fake OpenAI-compatible handler of the GenAI tests, in plain CommonJS so that the apps the
// preload tests start as child processes use it as it is; fake-openai.ts types it for the suites.
'use strict';
const { Readable } = require('node:stream');

/** Usage of a streamed chat answer (with `include_usage`). */
const STREAM_USAGE = { prompt_tokens: 11, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 3 }, completion_tokens_details: { reasoning_tokens: 2 } };
/** Usage of a non-streamed chat answer. */
const CHAT_USAGE = { prompt_tokens: 7, completion_tokens: 4 };
/** Usage of an embeddings answer. */
const EMBED_USAGE = { prompt_tokens: 6, total_tokens: 6 };
/** The content chunks of a streamed answer: the last one has multi-byte characters. */
const STREAM_PIECES = ['Hel', 'lo, ', 'wor', 'ld', ' ✓ — ünïcødé 🙂'];
const ERROR_TYPE = 'invalid_request_error';

function json(status, value) {
  return { status, contentType: 'application/json', chunks: [JSON.stringify(value)], json: value };
}

/** The answer to `body` on the route `path`: { status, contentType, chunks, json? }. */
function fakeAnswer(path, body) {
  const b = body ?? {};
  if (b.model !== 'tiny-chat' && b.model !== 'tiny-embed') {
    return json(404, { error: { message: `The model ${String(b.model)} does not exist`, type: ERROR_TYPE, param: 'model', code: 'model_not_found' } });
  }
  if (path.endsWith('/embeddings')) {
    return json(200, { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1, -0.2, 0.3] }], model: b.model, usage: EMBED_USAGE });
  }
  if (b.stream !== true) {
    return json(200, {
      id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: b.model,
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi there' }, finish_reason: 'length' }],
      usage: CHAT_USAGE,
    });
  }
  const base = { id: 'chatcmpl-2', object: 'chat.completion.chunk', created: 1, model: b.model };
  const events = [
    { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
    ...STREAM_PIECES.map((content) => ({ ...base, choices: [{ index: 0, delta: { content }, finish_reason: null }] })),
    { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
  ];
  if (b.stream_options?.include_usage === true) events.push({ ...base, choices: [], usage: STREAM_USAGE });
  return { status: 200, contentType: 'text/event-stream', chunks: [...events.map((e) => `data: ${JSON.stringify(e)}\n\n`), 'data: [DONE]\n\n'] };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Writes a streamed answer on Node's response, one chunk per `write`, each on a later turn of
 * the event loop; `split` cuts every chunk into pieces of that many bytes (1: one byte per write).
 */
async function writeStream(res, answer, split = 0) {
  res.writeHead(answer.status, { 'content-type': answer.contentType, 'cache-control': 'no-cache' });
  for (const chunk of answer.chunks) {
    await nextTurn();
    if (split <= 0) res.write(chunk);
    else {
      const bytes = Buffer.from(chunk);
      for (let i = 0; i < bytes.length; i += split) res.write(bytes.subarray(i, i + split));
    }
  }
  res.end();
}

/** A streamed answer as a body stream (for a framework's own `send`): one chunk per turn of the event loop. */
function streamBody(answer) {
  return Readable.from((async function* chunks() {
    for (const chunk of answer.chunks) {
      await nextTurn();
      yield Buffer.from(chunk);
    }
  })(), { objectMode: false });
}

module.exports = { STREAM_USAGE, CHAT_USAGE, EMBED_USAGE, STREAM_PIECES, ERROR_TYPE, fakeAnswer, writeStream, streamBody };
