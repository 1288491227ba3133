/**
 * GenAI metrics through the request lifecycle on a real `http.createServer` (listen(0)), with a
 * small body parser that sets `req.body` as a framework's does: the torture cases of SSE (one
 * byte per write, inside multi-byte characters; CRLF and comments; a 10 MiB event), bodies that
 * are not JSON, a compressed response, a client that leaves mid-stream, TTFT and TPOT against
 * the handler's own timestamps, and the model's label cap. Every assertion is on the parsed
 * exposition, read after the server-side `close` that proves the request ended.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { Registry } from 'prom-client';
import { createLifecycle, METRICS_REQUEST } from '../src/adapter';
import { parseExposition, type Exposition } from '../../../test/helpers/exposition';
import { listen, type Listening } from '../../../test/helpers/http';
import { STREAM_PIECES, STREAM_USAGE, fakeAnswer, postJson, writeStream } from '../../../test/helpers/fake-openai';

type Req = IncomingMessage & { body?: unknown };
type Handler = (req: Req, res: ServerResponse) => void | Promise<void>;

const open: Listening[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

const CHAT = { model: 'tiny-chat', stream: true, stream_options: { include_usage: true } };
const chat = { gen_ai_operation_name: 'chat', gen_ai_request_model: 'tiny-chat' };

/** A server whose requests go through a lifecycle (`bodyOf`: `req.body`), then a JSON body parser, then `handler`. */
async function serve(handler: Handler, options: Record<string, unknown> = {}): Promise<{ url: string; registry: Registry; closed: () => Promise<void>; metrics: () => Promise<Exposition> }> {
  const registry = new Registry();
  const lifecycle = createLifecycle<Req, ServerResponse>('test-adapter', { registry, defaultMetrics: false, ...options }, { bodyOf: (req) => req.body });
  const waiting: Promise<void>[] = [];
  const server = createServer((req: Req, res) => {
    waiting.push(new Promise((resolve) => res.on('close', () => setImmediate(resolve))));
    if (lifecycle.arrive(req, res, req, res) === METRICS_REQUEST) return void lifecycle.serve(req, res);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        req.body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"body is not JSON","type":"invalid_request_error"}}');
        return;
      }
      void handler(req, res);
    });
  });
  const listening = await listen(server);
  open.push(listening);
  return {
    url: listening.url,
    registry,
    closed: () => waiting.shift()!,
    metrics: async () => parseExposition(await registry.metrics()),
  };
}

function post(url: string, body: string | object, headers: Record<string, string> = {}): Promise<{ status: number; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const payload = typeof body === 'string' ? body : JSON.stringify(body);
    const req = httpRequest(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

describe('GenAI metrics through the lifecycle', () => {
  it.each([
    ['one byte per write (inside multi-byte characters)', 1],
    ['3 bytes per write', 3],
    ['whole events', 0],
  ])('a stream written %s: the same tokens, TTFT and chunk gaps', async (_name, split) => {
    const s = await serve((req, res) => writeStream(res, fakeAnswer(req.url!, req.body), split));
    const reply = await post(`${s.url}/v1/chat/completions`, CHAT);
    await s.closed();
    expect(reply.bytes.toString('utf8')).toContain(STREAM_PIECES[4]);
    const m = await s.metrics();
    expect(m.value('gen_ai_server_tokens_total', { ...chat, gen_ai_token_type: 'output' })).toBe(STREAM_USAGE.completion_tokens);
    expect(m.value('gen_ai_server_tokens_total', { ...chat, gen_ai_token_type: 'input' })).toBe(STREAM_USAGE.prompt_tokens);
    expect(m.value('gen_ai_server_time_to_first_token_seconds_count', chat)).toBe(1);
    expect(m.value('gen_ai_server_time_per_output_chunk_seconds_count', chat)).toBe(STREAM_PIECES.length - 1);
    expect(m.value('gen_ai_server_requests_total', { ...chat, stream: 'true', finish_reason: 'stop', error_type: '' })).toBe(1);
    expect(m.sum('promwire_genai_unread_total')).toBe(0);
  });

  it('CRLF line ends, comments, keep-alives and other fields: the same events', async () => {
    const s = await serve((req, res) => {
      const answer = fakeAnswer(req.url!, req.body);
      const chunks = [': connected\r\n\r\n', 'event: message\r\nid: 1\r\n', ...answer.chunks.map((c) => c.replace(/\n/g, '\r\n')), ':\r\n\r\n'];
      return writeStream(res, { ...answer, chunks }, 5);
    });
    await post(`${s.url}/v1/chat/completions`, CHAT);
    await s.closed();
    const m = await s.metrics();
    expect(m.value('gen_ai_server_tokens_total', { ...chat, gen_ai_token_type: 'output' })).toBe(STREAM_USAGE.completion_tokens);
    expect(m.value('gen_ai_server_time_per_output_chunk_seconds_count', chat)).toBe(STREAM_PIECES.length - 1);
    expect(m.sum('promwire_genai_unread_total')).toBe(0);
  });

  it('a 10 MiB event: skipped and counted, the usage after it read, every byte delivered', async () => {
    const huge = `data: {"choices":[{"delta":{"content":"${'x'.repeat(10 * 1024 * 1024)}"}}]}\n\n`;
    const s = await serve((req, res) => {
      const answer = fakeAnswer(req.url!, req.body);
      const chunks = [...answer.chunks];
      chunks.splice(2, 0, huge);
      return writeStream(res, { ...answer, chunks });
    });
    const expected = fakeAnswer('/v1/chat/completions', CHAT);
    const reply = await post(`${s.url}/v1/chat/completions`, CHAT);
    await s.closed();
    expect(reply.bytes.length).toBe(Buffer.byteLength(expected.chunks.join('')) + huge.length);
    const m = await s.metrics();
    expect(m.value('promwire_genai_unread_total', { gen_ai_operation_name: 'chat', reason: 'event_too_long' })).toBe(1);
    expect(m.value('gen_ai_server_tokens_total', { ...chat, gen_ai_token_type: 'output' })).toBe(STREAM_USAGE.completion_tokens);
    expect(m.value('gen_ai_server_requests_total', { ...chat, finish_reason: 'stop', error_type: '' })).toBe(1);
    expect(m.sum('gen_ai_server_requests_in_flight')).toBe(0);
  });

  it('a request body that is not JSON: counted once, model unknown, error from the status', async () => {
    const s = await serve(() => undefined);
    const reply = await post(`${s.url}/v1/chat/completions`, '{"model": "tiny-chat", oops');
    await s.closed();
    expect(reply.status).toBe(400);
    const m = await s.metrics();
    expect(m.value('gen_ai_server_requests_total', { gen_ai_request_model: '', error_type: 'invalid_request_error' })).toBe(1);
    expect(m.sum('gen_ai_server_requests_total')).toBe(1);
    expect(m.value('http_requests_total', { status_code: '400' })).toBe(1);
  });

  it('a response body that is not JSON, and a compressed one: counted, left unread', async () => {
    const s = await serve((req, res) => {
      if ((req.body as { model: string }).model === 'text') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('not json at all');
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify(fakeAnswer('/v1/chat/completions', { model: 'tiny-chat' }).json)));
    });
    await post(`${s.url}/v1/chat/completions`, { model: 'text' });
    await s.closed();
    await post(`${s.url}/v1/chat/completions`, { model: 'gzip' });
    await s.closed();
    const m = await s.metrics();
    expect(m.value('promwire_genai_unread_total', { reason: 'not_json' })).toBe(1);
    expect(m.value('promwire_genai_unread_total', { reason: 'compressed' })).toBe(1);
    expect(m.value('gen_ai_server_requests_total', { gen_ai_request_model: 'text', error_type: '' })).toBe(1);
    expect(m.value('gen_ai_server_requests_total', { gen_ai_request_model: 'gzip', error_type: '' })).toBe(1);
    expect(m.sum('gen_ai_server_tokens_total')).toBe(0);
  });

  it('a client that leaves mid-stream: counted as aborted, in flight back to 0, no usage-missing count', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const s = await serve(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"choices":[{"delta":{"role":"assistant"}}]}\n\n');
      res.write('data: {"choices":[{"delta":{"content":"partial"}}]}\n\n');
      await held; // never writes more before the client is gone
    });
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${s.url}/v1/chat/completions`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      req.end(JSON.stringify({ model: 'tiny-chat', stream: true }));
    });
    await s.closed();
    release();
    const m = await s.metrics();
    expect(m.value('gen_ai_server_requests_total', { ...chat, stream: 'true', error_type: 'aborted' })).toBe(1);
    expect(m.value('gen_ai_server_requests_in_flight', chat)).toBe(0);
    expect(m.value('gen_ai_server_time_to_first_token_seconds_count', chat)).toBe(1);
    expect(m.sum('gen_ai_server_stream_usage_missing_total')).toBe(0);
    expect(m.value('http_requests_total', { status_code: '499' })).toBe(1);
  });

  it('TTFT and TPOT lie within the bounds of the handler\'s own timestamps', async () => {
    const marks: number[] = [];
    const s = await serve(async (_req, res) => {
      const start = performance.now();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"choices":[{"delta":{"role":"assistant","content":""}}]}\n\n');
      await new Promise((resolve) => setTimeout(resolve, 30));
      marks.push(performance.now() - start); // before the first content: TTFT is at least this
      for (const piece of ['a', 'b', 'c', 'd']) {
        res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: piece } }] })}\n\n`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      res.end(`data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 2, completion_tokens: 4 } })}\n\ndata: [DONE]\n\n`);
    });
    const before = performance.now();
    await post(`${s.url}/v1/chat/completions`, { model: 'tiny-chat', stream: true });
    const clientSeconds = (performance.now() - before) / 1000;
    await s.closed();
    const m = await s.metrics();
    const ttft = m.value('gen_ai_server_time_to_first_token_seconds_sum', chat)!;
    const duration = m.value('gen_ai_server_request_duration_seconds_sum', chat)!;
    const tpot = m.value('gen_ai_server_time_per_output_token_seconds_sum', chat)!;
    expect(ttft).toBeGreaterThanOrEqual(marks[0]! / 1000);
    expect(ttft).toBeLessThanOrEqual(duration);
    expect(duration).toBeLessThanOrEqual(clientSeconds);
    expect(tpot).toBeCloseTo((duration - ttft) / 3, 9);
    // Three gaps of at least the handler's 5 ms timer each.
    expect(m.value('gen_ai_server_time_per_output_chunk_seconds_count', chat)).toBe(3);
    expect(m.value('gen_ai_server_time_per_output_chunk_seconds_sum', chat)).toBeGreaterThanOrEqual(0.015 - 0.003);
  });

  it('models past maxLabelValues are recorded as __overflow__ and counted', async () => {
    const s = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [{ finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1 } }));
      return undefined;
    }, { maxLabelValues: 2 });
    for (const model of ['m1', 'm2', 'm3', 'm4']) {
      await post(`${s.url}/v1/chat/completions`, { model });
      await s.closed();
    }
    const m = await s.metrics();
    expect(m.value('gen_ai_server_requests_total', { gen_ai_request_model: '__overflow__' })).toBe(2);
    expect(m.value('promwire_label_overflow_total', { metric: 'gen_ai_server_requests_total', label: 'gen_ai_request_model' })).toBe(2);
  });

  it('error types and finish reasons come from the response: capped like every label (maxLabelValues, 256 characters)', async () => {
    const s = await serve((req, res) => {
      const user = (req.body as { user: string }).user;
      if (user === 'long') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [{ finish_reason: 'r'.repeat(300) }] }));
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'failed', type: `type_${user}` } }));
      return undefined;
    }, { maxLabelValues: 2 });
    for (const user of ['a', 'b', 'c', 'd', 'long']) {
      await post(`${s.url}/v1/chat/completions`, { model: 'm', user });
      await s.closed();
    }
    const m = await s.metrics();
    expect(m.value('gen_ai_server_requests_total', { error_type: 'type_a' })).toBe(1);
    expect(m.value('gen_ai_server_requests_total', { error_type: 'type_b' })).toBe(1);
    expect(m.value('gen_ai_server_requests_total', { error_type: '__overflow__' })).toBe(2);
    expect(m.value('gen_ai_server_request_duration_seconds_count', { error_type: '__overflow__' })).toBe(2);
    expect(m.value('promwire_label_overflow_total', { metric: 'gen_ai_server_requests_total', label: 'error_type' })).toBe(2);
    expect(m.value('promwire_label_overflow_total', { metric: 'gen_ai_server_request_duration_seconds', label: 'error_type' })).toBe(2);
    expect(m.value('gen_ai_server_requests_total', { finish_reason: 'r'.repeat(256), error_type: '' })).toBe(1);
    expect(m.sum('gen_ai_server_requests_total')).toBe(5);
  });

  it('a series appears in a family when that family records it: no zero TTFT for embeddings, no token_usage of cached or reasoning tokens', async () => {
    const s = await serve((req, res) => {
      const answer = fakeAnswer(req.url!, req.body);
      if (answer.json !== undefined) return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer.json));
      return writeStream(res, answer);
    });
    await post(`${s.url}/v1/embeddings`, { model: 'tiny-embed', input: 'hello' });
    await s.closed();
    await post(`${s.url}/v1/chat/completions`, { model: 'tiny-chat' });
    await s.closed();
    await post(`${s.url}/v1/chat/completions`, CHAT);
    await s.closed();
    const m = await s.metrics();
    const embed = { gen_ai_operation_name: 'embeddings' };
    expect(m.value('gen_ai_server_requests_total', { ...embed, error_type: '' })).toBe(1);
    for (const name of ['time_to_first_token_seconds_count', 'time_per_output_token_seconds_count', 'time_per_output_chunk_seconds_count', 'stream_usage_missing_total']) {
      expect(m.find(`gen_ai_server_${name}`, embed)).toEqual([]);
      // One stream of tiny-chat: one series, whatever the non-streamed request of the same model did.
      if (name !== 'stream_usage_missing_total') expect(m.find(`gen_ai_server_${name}`, chat)).toHaveLength(1);
    }
    expect(m.value('gen_ai_server_time_to_first_token_seconds_count', chat)).toBe(1);
    expect(m.find('gen_ai_server_stream_usage_missing_total')).toEqual([]);
    expect(m.find('gen_ai_server_token_usage_count', { gen_ai_token_type: 'cached_input' })).toEqual([]);
    expect(m.find('gen_ai_server_token_usage_count', { gen_ai_token_type: 'reasoning' })).toEqual([]);
    expect(m.value('gen_ai_server_token_usage_count', { ...chat, gen_ai_token_type: 'output' })).toBe(2);
  });

  it('other routes pay nothing: no GenAI family is registered until a GenAI request', async () => {
    const s = await serve((_req, res) => void res.end('{}'));
    await postJson(`${s.url}/v1/models`, {});
    await s.closed();
    expect(await s.registry.metrics()).not.toContain('gen_ai_');
  });
});
