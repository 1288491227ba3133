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
/** Characters of the content of the `huge` torture stream's oversized event: 10 MiB. */
const HUGE_CONTENT = 10 * 1024 * 1024;

function json(status, value) {
  return { status, contentType: 'application/json', chunks: [JSON.stringify(value)], json: value };
}

/**
 * The answer to `body` on the route `path`: { status, contentType, chunks, json?, split?, endless? }.
 * A body with a `torture` field gets a streamed chat answer written the hard way (see tortureAnswer).
 */
function fakeAnswer(path, body) {
  const b = body ?? {};
  if (typeof b.torture === 'string') return tortureAnswer(b);
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
  return { status: 200, contentType: 'text/event-stream', chunks: [...streamEvents(b, b.stream_options?.include_usage === true).map(frame), 'data: [DONE]\n\n'] };
}

/** The events of a streamed chat answer: role, the content pieces, the finish reason, and the usage when asked. */
function streamEvents(b, withUsage) {
  const base = { id: 'chatcmpl-2', object: 'chat.completion.chunk', created: 1, model: b.model };
  const events = [
    { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
    ...STREAM_PIECES.map((content) => ({ ...base, choices: [{ index: 0, delta: { content }, finish_reason: null }] })),
    { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
  ];
  if (withUsage) events.push({ ...base, choices: [], usage: STREAM_USAGE });
  return events;
}

const frame = (event) => `data: ${JSON.stringify(event)}\n\n`;

/** An event whose JSON is spread over several `data` lines (one per line of its indented JSON), then comments and other fields. */
function spread(event) {
  const lines = JSON.stringify(event, null, 1).split('\n').map((line) => `data: ${line}\n`);
  return `: keep-alive\nevent: message\n${lines.join('')}id: 1\n\n:\n\n`;
}

/**
 * The streamed chat answer (with usage) of a torture case, by `body.torture`:
 * - `bytes`: written one byte per write, so multi-byte characters are split across writes;
 * - `crlf`: every line ends in CRLF;
 * - `comments`: each event's JSON spread over several `data` lines, between comment lines
 *   (`: keep-alive`), `event` and `id` fields;
 * - `mixed`: `comments` with CRLF line ends, one byte per write (CR and LF in separate writes);
 * - `huge`: a content event of 10 MiB between the second and third content events;
 * - `endless`: the role event and the first content event, then nothing, never ended (the
 *   writer waits for the client to go away).
 */
function tortureAnswer(b) {
  const events = streamEvents(b, b.torture !== 'endless');
  const answer = { status: 200, contentType: 'text/event-stream', chunks: [...events.map(frame), 'data: [DONE]\n\n'] };
  switch (b.torture) {
    case 'bytes':
      return { ...answer, split: 1 };
    case 'crlf':
      return { ...answer, chunks: answer.chunks.map((c) => c.replace(/\n/g, '\r\n')) };
    case 'comments':
      return { ...answer, chunks: [...events.map(spread), 'data: [DONE]\n\n'] };
    case 'mixed':
      return { ...answer, chunks: [...events.map(spread), 'data: [DONE]\n\n'].map((c) => c.replace(/\n/g, '\r\n')), split: 1 };
    case 'huge': {
      const huge = frame({ ...events[0], choices: [{ index: 0, delta: { content: 'x'.repeat(HUGE_CONTENT) }, finish_reason: null }] });
      return { ...answer, chunks: [...answer.chunks.slice(0, 3), huge, ...answer.chunks.slice(3)] };
    }
    case 'endless':
      return { ...answer, chunks: answer.chunks.slice(0, 2), endless: true };
    default:
      return json(400, { error: { message: `No torture case ${b.torture}`, type: ERROR_TYPE, param: 'torture', code: null } });
  }
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** The pieces `chunk` is written in: itself, or its bytes cut every `split` bytes. */
function piecesOf(chunk, split) {
  if (!(split > 0)) return [chunk];
  const bytes = Buffer.from(chunk);
  const pieces = [];
  for (let i = 0; i < bytes.length; i += split) pieces.push(bytes.subarray(i, i + split));
  return pieces;
}

/**
 * Writes a streamed answer on Node's response, one chunk per `write`, each on a later turn of
 * the event loop; `split` (default the answer's own) cuts every chunk into pieces of that many
 * bytes (1: one byte per write). An `endless` answer is never ended: this resolves when the
 * response closes (its client went away).
 */
async function writeStream(res, answer, split = answer.split ?? 0) {
  res.writeHead(answer.status, { 'content-type': answer.contentType, 'cache-control': 'no-cache' });
  for (const chunk of answer.chunks) {
    await nextTurn();
    for (const piece of piecesOf(chunk, split)) res.write(piece);
  }
  if (answer.endless !== true) return void res.end();
  if (!res.destroyed) await new Promise((resolve) => res.once('close', resolve));
}

/**
 * A streamed answer as a body stream (for a framework's own `send`): the pieces of one chunk
 * (see writeStream) per turn of the event loop. An `endless` answer's stream never ends; it
 * stops when the framework destroys it.
 */
function streamBody(answer) {
  const chunks = answer.chunks.map((c) => piecesOf(Buffer.from(c), answer.split ?? 0));
  let next = 0;
  return new Readable({
    read() {
      if (next === chunks.length) {
        if (answer.endless !== true) this.push(null);
        return;
      }
      const pieces = chunks[next++];
      setImmediate(() => {
        if (this.destroyed) return;
        for (const piece of pieces) this.push(piece);
      });
    },
  });
}

module.exports = { STREAM_USAGE, CHAT_USAGE, EMBED_USAGE, STREAM_PIECES, ERROR_TYPE, HUGE_CONTENT, fakeAnswer, writeStream, streamBody };
