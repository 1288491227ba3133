/**
 * A small OpenAI-compatible handler for the GenAI tests of every adapter: what it answers for
 * a request body, written on Node's response (streamed chunk by chunk, or one JSON body), and
 * the figures its answers carry, so a suite can compare `/metrics` with what was sent.
 *
 * Models: `tiny-chat` answers chat completions (streamed when `stream`, with the usage chunk
 * when `stream_options.include_usage`), `tiny-embed` answers embeddings, `missing-model` gets
 * an OpenAI error body (404, `invalid_request_error`). A body with a `torture` field gets a
 * streamed chat answer written the hard way (one byte per write, CRLF, comments and multi-line
 * data, a 10 MiB event, a stream never ended): {@link sendTorture} sends those cases, and
 * {@link expectTortureAsBare} checks an app's replies and figures against the app without promwire.
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { request as httpRequest } from 'node:http';
import type { Readable } from 'node:stream';

/** What the handler answers: status, content type, and the chunks to write in order. */
export interface FakeAnswer {
  status: number;
  contentType: string;
  chunks: string[];
  /** A JSON answer's body (also `chunks[0]`). */
  json?: unknown;
  /** Bytes per write when the chunks are cut further (1: one byte per write). */
  split?: number;
  /** The stream is never ended: its writer waits for the client to go away. */
  endless?: boolean;
}

interface FakeServer {
  STREAM_USAGE: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details: { cached_tokens: number }; completion_tokens_details: { reasoning_tokens: number } };
  CHAT_USAGE: { prompt_tokens: number; completion_tokens: number };
  EMBED_USAGE: { prompt_tokens: number; total_tokens: number };
  STREAM_PIECES: string[];
  ERROR_TYPE: string;
  HUGE_CONTENT: number;
  fakeAnswer(path: string, body: unknown): FakeAnswer;
  writeStream(res: ServerResponse, answer: FakeAnswer, split?: number): Promise<void>;
  streamBody(answer: FakeAnswer): Readable;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require('./fake-openai-server.cjs') as FakeServer;
export const { STREAM_USAGE, CHAT_USAGE, EMBED_USAGE, STREAM_PIECES, ERROR_TYPE, HUGE_CONTENT } = server;
/** The answer to `body` on the route `path`. */
export const fakeAnswer = server.fakeAnswer;
/**
 * Writes a streamed `answer` on Node's response, one chunk per `write` on a later turn of the
 * event loop each; `split` (default the answer's own) cuts every chunk further, into pieces of
 * that many bytes (1: one byte per write, inside multi-byte characters too). An endless answer
 * is never ended: the promise resolves when the response closes.
 */
export const writeStream = server.writeStream;
/** A streamed `answer` as a body stream (for a framework's own `send`). */
export const streamBody = server.streamBody;

/** A POST of `body` as JSON; answers the status and the exact bytes received. */
export function postJson(url: string, body: unknown): Promise<{ status: number; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = httpRequest(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** The request bodies every adapter suite sends, by case. */
export const CASES = {
  streamWithUsage: { path: '/v1/chat/completions', body: { model: 'tiny-chat', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] } },
  streamNoUsage: { path: '/v1/chat/completions', body: { model: 'tiny-chat', stream: true, messages: [{ role: 'user', content: 'hi' }] } },
  nonStreamed: { path: '/v1/chat/completions', body: { model: 'tiny-chat', messages: [{ role: 'user', content: 'hi' }] } },
  embeddings: { path: '/v1/embeddings', body: { model: 'tiny-embed', input: 'hello' } },
  error: { path: '/v1/chat/completions', body: { model: 'missing-model', messages: [] } },
} as const;

/**
 * Sends every case once, in order, to `baseUrl` (or through `send`, e.g. Fastify's `inject`);
 * answers the bytes each received, as latin1 text (one character per byte).
 */
export async function sendCases(
  baseUrl: string,
  send: (path: string, body: unknown) => Promise<Buffer> = async (path, body) => (await postJson(baseUrl + path, body)).bytes,
): Promise<Record<keyof typeof CASES, string>> {
  const out: Record<string, string> = {};
  for (const [name, c] of Object.entries(CASES)) out[name] = (await send(c.path, c.body)).toString('latin1');
  return out as Record<keyof typeof CASES, string>;
}

interface Reader {
  value(name: string, labels?: Record<string, string>): number | undefined;
  sum(name: string, labels?: Record<string, string>): number;
}

/** The figures `/metrics` shows after {@link sendCases} once, to compare with {@link EXPECTED_FIGURES}. */
export function genAiFigures(m: Reader, prefix = ''): Record<string, number | undefined> {
  const chat = { gen_ai_operation_name: 'chat', gen_ai_request_model: 'tiny-chat' };
  const embed = { gen_ai_operation_name: 'embeddings', gen_ai_request_model: 'tiny-embed' };
  const n = (name: string): string => `${prefix}gen_ai_server_${name}`;
  return {
    streamed: m.value(n('requests_total'), { ...chat, stream: 'true', finish_reason: 'stop', error_type: '' }),
    nonStreamed: m.value(n('requests_total'), { ...chat, stream: 'false', finish_reason: 'length', error_type: '' }),
    embeddings: m.value(n('requests_total'), { ...embed, stream: 'false', finish_reason: '', error_type: '' }),
    errors: m.value(n('requests_total'), { gen_ai_operation_name: 'chat', gen_ai_request_model: 'missing-model', error_type: ERROR_TYPE }),
    allRequests: m.sum(n('requests_total')),
    inputTokens: m.value(n('tokens_total'), { ...chat, gen_ai_token_type: 'input' }),
    outputTokens: m.value(n('tokens_total'), { ...chat, gen_ai_token_type: 'output' }),
    cachedTokens: m.value(n('tokens_total'), { ...chat, gen_ai_token_type: 'cached_input' }),
    reasoningTokens: m.value(n('tokens_total'), { ...chat, gen_ai_token_type: 'reasoning' }),
    embedTokens: m.value(n('tokens_total'), { ...embed, gen_ai_token_type: 'input' }),
    inputUsageCount: m.value(n('token_usage_count'), { ...chat, gen_ai_token_type: 'input' }),
    inputUsageSum: m.value(n('token_usage_sum'), { ...chat, gen_ai_token_type: 'input' }),
    usageMissing: m.value(n('stream_usage_missing_total'), chat),
    ttftCount: m.value(n('time_to_first_token_seconds_count'), chat),
    tpotCount: m.value(n('time_per_output_token_seconds_count'), chat),
    chunkGaps: m.value(n('time_per_output_chunk_seconds_count'), chat),
    streamDurations: m.value(n('request_duration_seconds_count'), { ...chat, stream: 'true', error_type: '' }),
    inFlight: m.sum(n('requests_in_flight')),
  };
}

/** {@link genAiFigures} after one {@link sendCases}: exactly what the fake handler sent. */
export const EXPECTED_FIGURES: Record<string, number> = {
  streamed: 2,
  nonStreamed: 1,
  embeddings: 1,
  errors: 1,
  allRequests: 5,
  inputTokens: STREAM_USAGE.prompt_tokens + CHAT_USAGE.prompt_tokens,
  outputTokens: STREAM_USAGE.completion_tokens + CHAT_USAGE.completion_tokens,
  cachedTokens: STREAM_USAGE.prompt_tokens_details.cached_tokens,
  reasoningTokens: STREAM_USAGE.completion_tokens_details.reasoning_tokens,
  embedTokens: EMBED_USAGE.prompt_tokens,
  inputUsageCount: 2,
  inputUsageSum: STREAM_USAGE.prompt_tokens + CHAT_USAGE.prompt_tokens,
  usageMissing: 1,
  ttftCount: 2,
  tpotCount: 1,
  chunkGaps: 2 * (STREAM_PIECES.length - 1),
  streamDurations: 2,
  inFlight: 0,
};

/** The streamed torture cases (see fake-openai-server.cjs), each sent with model `torture-<case>`. */
export const TORTURE_STREAMS = ['bytes', 'crlf', 'comments', 'mixed', 'huge'] as const;
export type TortureStream = (typeof TORTURE_STREAMS)[number];

const TORTURE_PATH = '/v1/chat/completions';
/** The request body of torture case `kind`: a streamed chat request with usage. */
export const tortureBody = (kind: TortureStream | 'endless'): Record<string, unknown> => ({
  model: `torture-${kind}`, torture: kind, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }],
});
/** A request body that is not JSON, sent as `application/json` to a GenAI route. */
export const NOT_JSON_BODY = '{"model": "tiny-chat", "stream": tru';

/** A reply, by its status, length and SHA-256 (a 10 MiB body stays out of test output). */
export interface Digest {
  status: number;
  bytes: number;
  sha256: string;
}

/** What {@link sendTorture} received. */
export interface TortureReplies {
  streams: Record<TortureStream, Digest>;
  /** The framework's own answer to {@link NOT_JSON_BODY}. */
  notJson: { status: number; contentType: string; body: string };
  /** What the client had received when it left: the role event and the first content event. */
  aborted: Digest;
}

function digest(status: number, bytes: Buffer): Digest {
  return { status, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** What the fake handler writes for torture case `kind`. */
function sent(kind: TortureStream | 'endless'): Digest {
  const answer = fakeAnswer(TORTURE_PATH, tortureBody(kind));
  return digest(answer.status, Buffer.from(answer.chunks.join('')));
}

/** What the fake handler writes for each torture case: a client that gets every byte receives exactly this. */
export function tortureAsSent(): Pick<TortureReplies, 'streams' | 'aborted'> {
  const streams = Object.fromEntries(TORTURE_STREAMS.map((kind) => [kind, sent(kind)])) as Record<TortureStream, Digest>;
  return { streams, aborted: sent('endless') };
}

/** A POST of `payload` (a string, sent as is) as `application/json`. */
function post(url: string, payload: string): Promise<{ status: number; contentType: string; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), bytes: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** A client of the endless stream that leaves (destroys its socket) once it has `expected` bytes: the first content event. */
function leaveAfter(url: string, expected: number): Promise<Digest> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(tortureBody('endless'));
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const settle = (error: Error | undefined, value?: Digest): void => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      if (error === undefined) resolve(value!);
      else reject(error);
    };
    const req = httpRequest(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        received += c.length;
        if (received < expected) return;
        req.destroy();
        settle(undefined, digest(res.statusCode ?? 0, Buffer.concat(chunks)));
      });
      res.on('end', () => settle(new Error(`the endless stream ended after ${received} bytes`)));
    });
    // A guard, not a measure: the first content event comes at once.
    const guard = setTimeout(() => {
      req.destroy();
      settle(new Error(`the endless stream sent ${received} of its first ${expected} bytes in time`));
    }, 20000);
    req.on('error', (error) => settle(error));
    req.end(payload);
  });
}

/**
 * Sends the torture cases to `baseUrl`, in order: every streamed case, {@link NOT_JSON_BODY},
 * then a client that leaves the endless stream after its first content event. With `scrape`
 * (the app's `/metrics`), it then polls it until the server has recorded that client's
 * departure (the request counted as aborted, nothing in flight; bounded by a guard).
 */
export async function sendTorture(baseUrl: string, scrape?: () => Promise<Reader>, prefix = ''): Promise<TortureReplies> {
  const streams: Partial<Record<TortureStream, Digest>> = {};
  for (const kind of TORTURE_STREAMS) {
    const reply = await post(baseUrl + TORTURE_PATH, JSON.stringify(tortureBody(kind)));
    streams[kind] = digest(reply.status, reply.bytes);
  }
  const bad = await post(baseUrl + TORTURE_PATH, NOT_JSON_BODY);
  const notJson = { status: bad.status, contentType: bad.contentType, body: bad.bytes.toString('latin1') };
  const aborted = await leaveAfter(baseUrl + TORTURE_PATH, sent('endless').bytes);
  if (scrape !== undefined) {
    const model = { gen_ai_operation_name: 'chat', gen_ai_request_model: 'torture-endless' };
    const deadline = Date.now() + 20000;
    for (;;) {
      const m = await scrape();
      if (m.value(`${prefix}gen_ai_server_requests_total`, { ...model, error_type: 'aborted' }) === 1 && m.sum(`${prefix}gen_ai_server_requests_in_flight`) === 0) break;
      if (Date.now() > deadline) throw new Error('the server never recorded the client that left the endless stream');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  return { streams: streams as Record<TortureStream, Digest>, notJson, aborted };
}

/** The figures `/metrics` shows after {@link sendTorture} once, to compare with {@link expectedTortureFigures}. */
export function tortureFigures(m: Reader, prefix = ''): Record<string, number | undefined> {
  const n = (name: string): string => `${prefix}gen_ai_server_${name}`;
  const out: Record<string, number | undefined> = {};
  for (const kind of TORTURE_STREAMS) {
    const model = { gen_ai_operation_name: 'chat', gen_ai_request_model: `torture-${kind}` };
    out[`${kind}: requests`] = m.value(n('requests_total'), { ...model, stream: 'true', finish_reason: 'stop', error_type: '' });
    out[`${kind}: input tokens`] = m.value(n('tokens_total'), { ...model, gen_ai_token_type: 'input' });
    out[`${kind}: output tokens`] = m.value(n('tokens_total'), { ...model, gen_ai_token_type: 'output' });
    out[`${kind}: time to first token`] = m.value(n('time_to_first_token_seconds_count'), model);
    out[`${kind}: chunk gaps`] = m.value(n('time_per_output_chunk_seconds_count'), model);
    out[`${kind}: time per output token`] = m.value(n('time_per_output_token_seconds_count'), model);
  }
  const endless = { gen_ai_operation_name: 'chat', gen_ai_request_model: 'torture-endless' };
  out['left: requests'] = m.value(n('requests_total'), { ...endless, stream: 'true', finish_reason: '', error_type: 'aborted' });
  out['left: durations'] = m.value(n('request_duration_seconds_count'), { ...endless, stream: 'true', error_type: 'aborted' });
  out['left: time to first token'] = m.value(n('time_to_first_token_seconds_count'), endless);
  out['left: chunk gaps'] = m.sum(n('time_per_output_chunk_seconds_count'), endless);
  out['left: tokens'] = m.sum(n('tokens_total'), endless);
  out['left: HTTP 499'] = m.sum(`${prefix}http_requests_total`, { status_code: '499' });
  const unknown = { gen_ai_operation_name: 'chat', gen_ai_request_model: '' };
  out['not JSON: requests'] = m.sum(n('requests_total'), unknown);
  out['not JSON: 4xx'] = m.value(n('requests_total'), { ...unknown, stream: 'false', finish_reason: '', error_type: '4xx' });
  out['unread: event_too_long'] = m.sum(`${prefix}promwire_genai_unread_total`, { reason: 'event_too_long' });
  out['unread: not_json'] = m.sum(`${prefix}promwire_genai_unread_total`, { reason: 'not_json' });
  out['unread: all'] = m.sum(`${prefix}promwire_genai_unread_total`);
  out['usage missing'] = m.sum(n('stream_usage_missing_total'));
  out['all requests'] = m.sum(n('requests_total'));
  out['in flight'] = m.sum(n('requests_in_flight'));
  return out;
}

/**
 * {@link tortureFigures} after one {@link sendTorture}: exactly what the fake handler sent. The
 * 10 MiB event is skipped and counted as `event_too_long` (the rest of its stream read as
 * usual); the framework's answer to the body that is not JSON (`notJson`, from the app without
 * promwire: status 400 for every framework here) is counted once, with an unknown model and
 * the status class as error type, and left unread when it is not JSON itself.
 */
export function expectedTortureFigures(notJson: TortureReplies['notJson']): Record<string, number> {
  let answeredJson = true;
  try {
    JSON.parse(notJson.body);
  } catch {
    answeredJson = false;
  }
  const out: Record<string, number> = {};
  for (const kind of TORTURE_STREAMS) {
    out[`${kind}: requests`] = 1;
    out[`${kind}: input tokens`] = STREAM_USAGE.prompt_tokens;
    out[`${kind}: output tokens`] = STREAM_USAGE.completion_tokens;
    out[`${kind}: time to first token`] = 1;
    out[`${kind}: chunk gaps`] = STREAM_PIECES.length - 1;
    out[`${kind}: time per output token`] = 1;
  }
  return {
    ...out,
    'left: requests': 1,
    'left: durations': 1,
    'left: time to first token': 1,
    'left: chunk gaps': 0,
    'left: tokens': 0,
    'left: HTTP 499': 1,
    'not JSON: requests': 1,
    'not JSON: 4xx': 1,
    'unread: event_too_long': 1,
    'unread: not_json': answeredJson ? 0 : 1,
    'unread: all': answeredJson ? 1 : 2,
    'usage missing': 0,
    'all requests': TORTURE_STREAMS.length + 2,
    'in flight': 0,
  };
}

/**
 * Sends the torture cases to `url`, an app with promwire whose `/metrics` is `scrape` (waiting
 * for the client that left to be recorded), and checks that the client got the same replies as
 * from the app without promwire (`bare`: its URL, sent the cases after `url`, or its replies
 * already taken), that those are exactly what the fake handler wrote, and that `/metrics`
 * then shows {@link expectedTortureFigures}.
 */
export async function expectTortureAsBare(url: string, scrape: () => Promise<Reader>, bare: string | TortureReplies): Promise<void> {
  const received = await sendTorture(url, scrape);
  const expected = typeof bare === 'string' ? await sendTorture(bare) : bare;
  expect(received).toEqual(expected);
  expect(received).toMatchObject(tortureAsSent());
  expect(tortureFigures(await scrape())).toEqual(expectedTortureFigures(expected.notJson));
}
