/**
 * The GenAI tests' side of examples/ml-inference: start it (explicit adapter, bare, or under the
 * preload), drive it with the official `openai` client while noting when the client saw what,
 * and read the GenAI families back from /metrics.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import type { Exposition } from '../helpers/exposition';
import { request, scrape, type Reply } from '../helpers/http';
import { ROOT, startProcess } from '../helpers/processes';
import { type Flag, runApp } from '../auto/preload';

export const EXAMPLE = join(ROOT, 'examples/ml-inference');
export const MODEL = 'charlm';
/** Every instance answers with this `created`, so bodies compare byte for byte. */
export const CREATED = '1767225600';

export interface Target {
  name: string;
  appUrl: string;
  scrape(): Promise<Exposition>;
  output(): string;
  stop(): Promise<void>;
}

const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+)/;

/** `node <script> [args]` from the example, on a free loopback port; /metrics on the app's port. */
export async function startScript(script: 'server.js' | 'app.js', args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Target> {
  const run = await startProcess(process.execPath, [join(EXAMPLE, script), ...args], LISTENING, {
    env: { PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'test', PROMWIRE_EXAMPLE_CREATED: CREATED, ...env },
    timeoutMs: 45000,
  });
  return { name: `node ${script} ${args.join(' ')}`.trim(), appUrl: run.url, scrape: () => scrape(run.url), output: run.output, stop: run.stop };
}

/** `node <flag> @promwire/auto/register app.js`: no promwire code in the app; metrics on the preload's port. */
export async function startPreloaded(flag: Flag, env: NodeJS.ProcessEnv = {}): Promise<Target> {
  const run = await runApp(join(EXAMPLE, 'app.js'), flag, { cwd: EXAMPLE, env: { PROMWIRE_EXAMPLE_CREATED: CREATED, ...env } });
  return { name: `node ${flag} @promwire/auto/register app.js`, appUrl: run.appUrl, scrape: () => run.scrape(), output: run.output, stop: run.stop };
}

/** Starts targets together; when one fails, stops the others before failing (no process outlives the test). */
export async function startAll<T extends Promise<Target>[]>(...starting: T): Promise<{ [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(starting);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    throw failed.reason;
  }
  return settled.map((s) => (s as PromiseFulfilledResult<Target>).value) as { [K in keyof T]: Awaited<T[K]> };
}

export function client(target: Target): OpenAI {
  return new OpenAI({ baseURL: `${target.appUrl}/v1`, apiKey: 'not-checked', maxRetries: 0, timeout: 30000 });
}

export interface Streamed {
  text: string;
  /** Chunks that carried content. */
  contentChunks: number;
  finishReason: string | null;
  usage: OpenAI.CompletionUsage | undefined;
  /** performance.now() before the request was sent, when the first content arrived, when the stream ended. */
  t0: number;
  tFirst: number;
  tEnd: number;
}

/** A streamed chat completion read to its end by the client, with the times it saw. */
export async function streamChat(ai: OpenAI, prompt: string, options: { seed: number; max_tokens: number; includeUsage: boolean }): Promise<Streamed> {
  const t0 = performance.now();
  const stream = await ai.chat.completions.create({
    model: MODEL,
    messages: [{ role: 'user', content: prompt }],
    seed: options.seed,
    max_tokens: options.max_tokens,
    stream: true,
    ...(options.includeUsage ? { stream_options: { include_usage: true } } : {}),
  });
  const seen: Streamed = { text: '', contentChunks: 0, finishReason: null, usage: undefined, t0, tFirst: -1, tEnd: -1 };
  for await (const chunk of stream) {
    const content = chunk.choices[0]?.delta?.content;
    if (typeof content === 'string' && content !== '') {
      if (seen.tFirst < 0) seen.tFirst = performance.now();
      seen.text += content;
      seen.contentChunks++;
    }
    seen.finishReason = chunk.choices[0]?.finish_reason ?? seen.finishReason;
    if (chunk.usage) seen.usage = chunk.usage;
  }
  seen.tEnd = performance.now();
  return seen;
}

/** A POST with a JSON body over a fresh connection; the raw reply. */
export function post(base: string, path: string, body: unknown): Promise<Reply> {
  return request(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

/** The requests whose raw bodies are compared between instances (each instance answers them first, in this order). */
export const TRANSCRIPT: [string, unknown][] = [
  ['/v1/chat/completions', { model: MODEL, messages: [{ role: 'user', content: 'the river runs past the mill' }], seed: 7, max_tokens: 120, stream: true, stream_options: { include_usage: true } }],
  ['/v1/chat/completions', { model: MODEL, messages: [{ role: 'user', content: 'a good alert' }], seed: 8, max_tokens: 40, stream: true }],
  ['/v1/chat/completions', { model: MODEL, messages: [{ role: 'system', content: 'be brief.' }, { role: 'user', content: 'tokens in, tokens out' }], seed: 9, temperature: 0.7 }],
  ['/v1/completions', { model: MODEL, prompt: 'the first token is', seed: 10, max_tokens: 30, stream: true, stream_options: { include_usage: true } }],
  ['/v1/embeddings', { model: MODEL, input: ['the sea is grey in winter', 'count the errors'] }],
  ['/v1/chat/completions', { model: 'no-such-model', messages: [{ role: 'user', content: 'hello' }] }],
];

/** The raw bodies of {@link TRANSCRIPT}, in order. */
export async function transcript(base: string): Promise<string[]> {
  const bodies: string[] = [];
  for (const [path, body] of TRANSCRIPT) bodies.push((await post(base, path, body)).body);
  return bodies;
}

/** GenAI label sets, as SPEC names them. */
export const chat = { gen_ai_operation_name: 'chat', gen_ai_request_model: MODEL };
export const embeddings = { gen_ai_operation_name: 'embeddings', gen_ai_request_model: MODEL };

/** The change of every sample between two scrapes, read like an exposition (sum over matching samples). */
export function delta(before: Exposition, after: Exposition) {
  return (name: string, labels: Record<string, string> = {}): number => after.sum(name, labels) - before.sum(name, labels);
}

/** Scrapes until `check` holds (a recorded request shows once its response has closed); bounded. */
export async function scrapeUntil(target: Target, check: (e: Exposition) => boolean, timeoutMs = 20000): Promise<Exposition> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const e = await target.scrape();
    if (check(e)) return e;
    if (Date.now() > deadline) throw new Error(`${target.name}: the metrics never satisfied ${check.toString()}\noutput:\n${target.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
