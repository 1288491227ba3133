/**
 * The example as a gateway (`--upstream URL`) in front of another instance: the official
 * `openai` client talks to the gateway, whose /metrics show the usage the client received and a
 * TTFT bounded by the client's timings, while the upstream (instrumented too) counts the same
 * tokens. Bytes pass both hops unchanged: the gateway's answers equal a bare instance's.
 */
import { performance } from 'node:perf_hooks';
import { checkClientTraffic } from './scenario';
import { type Target, chat, client, delta, scrapeUntil, startAll, startPreloaded, startScript, streamChat, transcript } from './support';

jest.setTimeout(180000);

let upstream: Target;
let twin: Target;
let gateway: Target;
beforeAll(async () => {
  [upstream, twin] = await startAll(startScript('server.js'), startScript('app.js'));
  gateway = await startScript('server.js', ['--upstream', upstream.appUrl]);
});
afterAll(async () => {
  await Promise.all([gateway?.stop(), upstream?.stop(), twin?.stop()]);
});

test('through the gateway the client receives the bytes a bare instance sends', async () => {
  // The upstream and the twin both answer the transcript first.
  const [viaGateway, direct] = await Promise.all([transcript(gateway.appUrl), transcript(twin.appUrl)]);
  expect(viaGateway).toEqual(direct);
});

test('the gateway\'s metrics equal the usage the client got, and the upstream\'s agree', async () => {
  const [gatewayBefore, upstreamBefore] = await Promise.all([gateway.scrape(), upstream.scrape()]);
  const s = await streamChat(client(gateway), 'one request, one count', { seed: 31, max_tokens: 90, includeUsage: true });
  const recorded = (e: Awaited<ReturnType<Target['scrape']>>, before: typeof e) =>
    e.sum('gen_ai_server_requests_total', { ...chat, stream: 'true' }) - before.sum('gen_ai_server_requests_total', { ...chat, stream: 'true' }) === 1;
  const gatewayAfter = await scrapeUntil(gateway, (e) => recorded(e, gatewayBefore));
  const tRecorded = performance.now();
  const upstreamAfter = await scrapeUntil(upstream, (e) => recorded(e, upstreamBefore));
  const g = delta(gatewayBefore, gatewayAfter);
  const u = delta(upstreamBefore, upstreamAfter);
  for (const d of [g, u]) {
    expect(d('gen_ai_server_tokens_total', { ...chat, gen_ai_token_type: 'input' })).toBe(s.usage!.prompt_tokens);
    expect(d('gen_ai_server_tokens_total', { ...chat, gen_ai_token_type: 'output' })).toBe(s.usage!.completion_tokens);
    expect(d('gen_ai_server_time_per_output_chunk_seconds_count', chat)).toBe(s.contentChunks - 1);
  }
  // The gateway ran no model; the upstream ran it once per generated token.
  expect(g('ml_inference_duration_seconds_count', { model: 'charlm' })).toBe(0);
  expect(u('ml_inference_duration_seconds_count', { model: 'charlm' })).toBe(s.usage!.completion_tokens);
  // The gateway's first token came after the upstream's (one more hop), before the client saw it.
  const ttft = g('gen_ai_server_time_to_first_token_seconds_sum', chat);
  expect(ttft).toBeGreaterThanOrEqual(u('gen_ai_server_time_to_first_token_seconds_sum', chat));
  expect(ttft).toBeLessThanOrEqual((s.tFirst - s.t0) / 1000);
  const duration = g('gen_ai_server_request_duration_seconds_sum', { ...chat, stream: 'true' });
  expect(duration).toBeLessThanOrEqual((tRecorded - s.t0) / 1000);
  expect(g('gen_ai_server_time_per_output_token_seconds_sum', chat) * (s.usage!.completion_tokens - 1)).toBeCloseTo(duration - g('gen_ai_server_time_to_first_token_seconds_sum', chat), 6);
  expect(gatewayAfter.value('gen_ai_server_requests_in_flight', chat)).toBe(0);
});

test('a gateway with no promwire code (--require, upstream from PROMWIRE_EXAMPLE_UPSTREAM) shows the same', async () => {
  const zeroCode = await startPreloaded('--require', { PROMWIRE_EXAMPLE_UPSTREAM: upstream.appUrl });
  try {
    const before = await zeroCode.scrape();
    const s = await streamChat(client(zeroCode), 'the stars come out', { seed: 32, max_tokens: 70, includeUsage: true });
    const after = await scrapeUntil(zeroCode, (e) => e.sum('gen_ai_server_tokens_total', chat) - before.sum('gen_ai_server_tokens_total', chat) > 0);
    const d = delta(before, after);
    expect(d('gen_ai_server_tokens_total', { ...chat, gen_ai_token_type: 'input' })).toBe(s.usage!.prompt_tokens);
    expect(d('gen_ai_server_tokens_total', { ...chat, gen_ai_token_type: 'output' })).toBe(s.usage!.completion_tokens);
    expect(d('gen_ai_server_time_to_first_token_seconds_sum', chat)).toBeLessThanOrEqual((s.tFirst - s.t0) / 1000);
  } finally {
    await zeroCode.stop();
  }
});

test('the gateway passes the upstream\'s errors through and answers 502 when the upstream is gone', async () => {
  const ai = client(gateway);
  await expect(ai.embeddings.create({ model: 'no-such-model', input: 'x' })).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
  const orphan = await startScript('server.js', ['--upstream', 'http://127.0.0.1:9']);
  try {
    await expect(client(orphan).chat.completions.create({ model: 'charlm', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 502, type: 'upstream_error' });
  } finally {
    await orphan.stop();
  }
});
