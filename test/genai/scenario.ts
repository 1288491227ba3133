/**
 * The traffic every instrumented instance of the example gets from the official `openai` client,
 * and what its /metrics must show after each request: token counters equal to the usage the
 * client received, time to first token and time per output token within bounds taken from the
 * client's own clock, a missing-usage count for the stream that asked for none.
 *
 * The bounds: the server's interval (arrival → response closed) lies inside the test's
 * (before sending → the scrape that showed the request recorded), and the first content event
 * was written before the client read it, so 0 < TTFT ≤ tFirst − t0 and
 * TTFT ≤ duration ≤ tRecorded − t0; TPOT · (output − 1) = duration − TTFT. From below, the
 * request lasted at least as long as the model's own runs (`ml_inference_duration_seconds`,
 * one `session.run` per generated token), which no clock of the test can bound.
 */
import { performance } from 'node:perf_hooks';
import { APIError } from 'openai';
import { V, encode } from '../../examples/ml-inference/model/charlm';
import type { Exposition } from '../helpers/exposition';
import { MODEL, type Streamed, type Target, chat, client, delta, embeddings, scrapeUntil, streamChat } from './support';

const REQUESTS = 'gen_ai_server_requests_total';
const DURATION = 'gen_ai_server_request_duration_seconds';
const TTFT = 'gen_ai_server_time_to_first_token_seconds';
const TPOT = 'gen_ai_server_time_per_output_token_seconds';
const TOKENS = 'gen_ai_server_tokens_total';
const MISSING = 'gen_ai_server_stream_usage_missing_total';
const CHUNK = 'gen_ai_server_time_per_output_chunk_seconds';
const IN_FLIGHT = 'gen_ai_server_requests_in_flight';
const RUNS = { model: MODEL, runtime: 'onnxruntime-node' };

/** Tokens the model reads for one user message: the start token, the characters, the end token. */
const promptTokens = (content: string) => encode(content).length + 2;

/** Waits until `target` has recorded one more request matching `labels`; answers the scrape and when the test saw it. */
async function recorded(target: Target, before: Exposition, labels: Record<string, string>, count = 1) {
  const after = await scrapeUntil(target, (e) => e.sum(REQUESTS, labels) - before.sum(REQUESTS, labels) >= count);
  return { after, tRecorded: performance.now(), d: delta(before, after) };
}

/** The streamed request's timings against the client's clock; answers TTFT. */
function checkTimings(d: ReturnType<typeof delta>, s: Streamed, tRecorded: number, outputTokens: number | undefined): void {
  const ttft = d(`${TTFT}_sum`, chat);
  expect(d(`${TTFT}_count`, chat)).toBe(1);
  expect(ttft).toBeGreaterThan(0);
  expect(ttft).toBeLessThanOrEqual((s.tFirst - s.t0) / 1000);
  const duration = d(`${DURATION}_sum`, { ...chat, stream: 'true' });
  expect(duration).toBeGreaterThanOrEqual(ttft);
  expect(duration).toBeLessThanOrEqual((tRecorded - s.t0) / 1000);
  // The model's runs happened inside the request: one per generated token.
  expect(d('ml_inference_duration_seconds_sum', RUNS)).toBeLessThanOrEqual(duration);
  // One gap per content event after the first.
  expect(d(`${CHUNK}_count`, chat)).toBe(s.contentChunks - 1);
  expect(d(`${CHUNK}_sum`, chat)).toBeLessThanOrEqual(duration - ttft + 1e-9);
  if (outputTokens === undefined) {
    expect(d(`${TPOT}_count`, chat)).toBe(0);
    return;
  }
  expect(d('ml_inference_duration_seconds_count', RUNS)).toBe(outputTokens);
  expect(d(`${TPOT}_count`, chat)).toBe(1);
  expect(d(`${TPOT}_sum`, chat) * (outputTokens - 1)).toBeCloseTo(duration - ttft, 6);
}

export async function checkClientTraffic(target: Target): Promise<void> {
  const ai = client(target);

  // 1. Streamed, with usage.
  let before = await target.scrape();
  const prompt1 = 'the lighthouse keeper climbs the stairs';
  const s1 = await streamChat(ai, prompt1, { seed: 21, max_tokens: 150, includeUsage: true });
  expect(s1.usage).toBeDefined();
  const u1 = s1.usage!;
  // Honest counts: the characters the model read and the tokens it produced (the end token too).
  expect(u1.prompt_tokens).toBe(promptTokens(prompt1));
  expect(u1.completion_tokens).toBe(s1.text.length + (s1.finishReason === 'stop' ? 1 : 0));
  expect(u1.completion_tokens).toBeGreaterThanOrEqual(2);
  let r = await recorded(target, before, { ...chat, stream: 'true' });
  expect(r.d(TOKENS, { ...chat, gen_ai_token_type: 'input' })).toBe(u1.prompt_tokens);
  expect(r.d(TOKENS, { ...chat, gen_ai_token_type: 'output' })).toBe(u1.completion_tokens);
  expect(r.d(`gen_ai_server_token_usage_sum`, { ...chat, gen_ai_token_type: 'output' })).toBe(u1.completion_tokens);
  expect(r.d(REQUESTS, { ...chat, stream: 'true', finish_reason: s1.finishReason!, error_type: '' })).toBe(1);
  expect(r.d(MISSING, chat)).toBe(0);
  checkTimings(r.d, s1, r.tRecorded, u1.completion_tokens);
  expect(r.after.value(IN_FLIGHT, chat)).toBe(0);

  // 2. Streamed, without usage: no tokens to count, counted as missing; TTFT still measured.
  before = r.after;
  const s2 = await streamChat(ai, 'a gateway sits in front', { seed: 22, max_tokens: 60, includeUsage: false });
  expect(s2.usage).toBeUndefined();
  expect(s2.contentChunks).toBeGreaterThanOrEqual(1);
  r = await recorded(target, before, { ...chat, stream: 'true' });
  expect(r.d(MISSING, chat)).toBe(1);
  expect(r.d(TOKENS, chat)).toBe(0);
  expect(r.d(REQUESTS, { ...chat, stream: 'true', finish_reason: s2.finishReason!, error_type: '' })).toBe(1);
  checkTimings(r.d, s2, r.tRecorded, undefined);

  // 3. Not streamed.
  before = r.after;
  const prompt3 = 'what does the operator see';
  const whole = await ai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: prompt3 }], seed: 23, max_tokens: 5 });
  expect(whole.usage).toEqual({ prompt_tokens: promptTokens(prompt3), completion_tokens: 5, total_tokens: promptTokens(prompt3) + 5 });
  expect(whole.choices[0]!.finish_reason).toBe('length');
  r = await recorded(target, before, { ...chat, stream: 'false' });
  expect(r.d(TOKENS, { ...chat, gen_ai_token_type: 'input' })).toBe(whole.usage!.prompt_tokens);
  expect(r.d(TOKENS, { ...chat, gen_ai_token_type: 'output' })).toBe(5);
  expect(r.d(REQUESTS, { ...chat, stream: 'false', finish_reason: 'length', error_type: '' })).toBe(1);
  expect(r.d(`${TTFT}_count`, chat)).toBe(0);
  expect(r.d('ml_inference_duration_seconds_count', RUNS)).toBe(5);

  // 4. A streamed text completion with usage.
  before = r.after;
  const text = { gen_ai_operation_name: 'text_completion', gen_ai_request_model: MODEL };
  const completion = await ai.completions.create({ model: MODEL, prompt: 'the numbers', seed: 24, max_tokens: 30, stream: true, stream_options: { include_usage: true } });
  let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
  for await (const chunk of completion) if (chunk.usage) usage = chunk.usage;
  expect(usage?.prompt_tokens).toBe(1 + encode('the numbers').length);
  r = await recorded(target, before, text);
  expect(r.d(TOKENS, { ...text, gen_ai_token_type: 'input' })).toBe(usage!.prompt_tokens);
  expect(r.d(TOKENS, { ...text, gen_ai_token_type: 'output' })).toBe(usage!.completion_tokens);
  expect(r.d(`${TTFT}_count`, text)).toBe(1);

  // 5. Embeddings (the client asks for base64 and decodes it).
  before = r.after;
  const inputs = ['the sea is grey in winter', 'and blue in summer'];
  const e = await ai.embeddings.create({ model: MODEL, input: inputs });
  expect(e.usage).toEqual({ prompt_tokens: encode(inputs.join('')).length, total_tokens: encode(inputs.join('')).length });
  expect(e.data.map((x) => x.embedding.length)).toEqual([V, V]);
  expect(Math.hypot(...e.data[0]!.embedding)).toBeCloseTo(1, 5);
  r = await recorded(target, before, embeddings);
  expect(r.d(TOKENS, { ...embeddings, gen_ai_token_type: 'input' })).toBe(e.usage.prompt_tokens);
  expect(r.d(TOKENS, { ...embeddings, gen_ai_token_type: 'output' })).toBe(0);
  expect(r.d(REQUESTS, { ...embeddings, stream: 'false', error_type: '' })).toBe(1);

  // 6. Errors: an unknown model (404) and bad input (400), with the OpenAI error type.
  before = r.after;
  const unknown = await ai.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }).catch((err: unknown) => err);
  expect(unknown).toBeInstanceOf(APIError);
  expect(unknown).toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
  const bad = await ai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 0 }).catch((err: unknown) => err);
  expect(bad).toMatchObject({ status: 400, type: 'invalid_request_error', param: 'max_tokens' });
  r = await recorded(target, before, { gen_ai_operation_name: 'chat', error_type: 'invalid_request_error' }, 2);
  expect(r.d(REQUESTS, { gen_ai_operation_name: 'chat', gen_ai_request_model: 'no-such-model', error_type: 'invalid_request_error' })).toBe(1);
  expect(r.d(REQUESTS, { ...chat, error_type: 'invalid_request_error' })).toBe(1);
  expect(r.d(TOKENS)).toBe(0);
  expect(r.after.sum(IN_FLIGHT)).toBe(0);
}
