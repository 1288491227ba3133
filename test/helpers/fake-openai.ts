/**
 * A small OpenAI-compatible handler for the GenAI tests of every adapter: what it answers for
 * a request body, written on Node's response (streamed chunk by chunk, or one JSON body), and
 * the figures its answers carry, so a suite can compare `/metrics` with what was sent.
 *
 * Models: `tiny-chat` answers chat completions (streamed when `stream`, with the usage chunk
 * when `stream_options.include_usage`), `tiny-embed` answers embeddings, `missing-model` gets
 * an OpenAI error body (404, `invalid_request_error`).
 */
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
}

interface FakeServer {
  STREAM_USAGE: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details: { cached_tokens: number }; completion_tokens_details: { reasoning_tokens: number } };
  CHAT_USAGE: { prompt_tokens: number; completion_tokens: number };
  EMBED_USAGE: { prompt_tokens: number; total_tokens: number };
  STREAM_PIECES: string[];
  ERROR_TYPE: string;
  fakeAnswer(path: string, body: unknown): FakeAnswer;
  writeStream(res: ServerResponse, answer: FakeAnswer, split?: number): Promise<void>;
  streamBody(answer: FakeAnswer): Readable;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require('./fake-openai-server.cjs') as FakeServer;
export const { STREAM_USAGE, CHAT_USAGE, EMBED_USAGE, STREAM_PIECES, ERROR_TYPE } = server;
/** The answer to `body` on the route `path`. */
export const fakeAnswer = server.fakeAnswer;
/**
 * Writes a streamed `answer` on Node's response, one chunk per `write` on a later turn of the
 * event loop each; `split` cuts every chunk further, into pieces of that many bytes (1: one
 * byte per write, inside multi-byte characters too).
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
