/**
 * One request to the Pushgateway, retried: with node's `http`/`https`, a deadline per attempt,
 * and on a network error, a timeout or a 5xx answer another attempt after an exponential backoff
 * with jitter. A 4xx answer is final: the gateway understood the push and refused it.
 */
import { type Agent, type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { PushgatewayError } from './push-error';

/** How a request is retried. */
export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  /** Backoff before retry n (from 0): up to `min(maxDelayMs, delayMs × 2ⁿ)`, at least half of it. */
  delayMs: number;
  maxDelayMs: number;
}

export interface PushRequest {
  method: 'PUT' | 'POST' | 'DELETE';
  url: URL;
  /** The URL as errors show it (no credentials). */
  shownUrl: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  timeoutMs: number;
  agent: Agent | undefined;
  retry: RetryPolicy;
  signal: AbortSignal | undefined;
}

interface Answer {
  status: number;
  body: string;
  retryAfterMs: number | undefined;
}

const MAX_BODY = 4096;

/** Sends `req`, retrying as its policy says; rejects with a {@link PushgatewayError}. */
export async function send(req: PushRequest): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    let answer: Answer | undefined;
    let cause: unknown;
    try {
      answer = await once(req);
    } catch (error) {
      cause = error;
    }
    if (answer !== undefined && answer.status >= 200 && answer.status < 300) return;
    const retryable = answer === undefined ? !req.signal?.aborted : answer.status >= 500;
    if (!retryable || attempt > req.retry.retries) {
      throw new PushgatewayError({ method: req.method, url: req.shownUrl, attempts: attempt, status: answer?.status, body: answer?.body, cause });
    }
    try {
      await sleep(backoff(req.retry, attempt - 1, answer?.retryAfterMs), req.signal);
    } catch (abort) {
      throw new PushgatewayError({ method: req.method, url: req.shownUrl, attempts: attempt, status: answer?.status, body: answer?.body, cause: abort });
    }
  }
}

/** The wait before retry `n` (from 0): "equal jitter", or the gateway's Retry-After if shorter than the cap. */
export function backoff(policy: RetryPolicy, n: number, retryAfterMs?: number, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.delayMs * 2 ** n);
  if (retryAfterMs !== undefined) return Math.min(policy.maxDelayMs, retryAfterMs);
  return ceiling / 2 + random() * (ceiling / 2);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** One attempt: resolves with any answer, rejects on a network error, the deadline or an abort. */
function once(req: PushRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    if (req.signal?.aborted) return reject(req.signal.reason);
    const request = req.url.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = String(req.body.length);
    const outgoing = request(req.url, { method: req.method, headers, agent: req.agent }, (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < MAX_BODY) body += chunk.slice(0, MAX_BODY - body.length);
      });
      res.on('end', () => {
        finish();
        resolve({ status: res.statusCode ?? 0, body, retryAfterMs: retryAfter(res.headers['retry-after']) });
      });
      res.on('error', fail);
    });
    const timer = setTimeout(() => fail(new Error(`no answer within ${req.timeoutMs} ms`)), req.timeoutMs);
    const onAbort = (): void => fail(req.signal!.reason);
    req.signal?.addEventListener('abort', onAbort, { once: true });
    function finish(): void {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
    }
    function fail(error: unknown): void {
      finish();
      outgoing.destroy();
      reject(error);
    }
    outgoing.on('error', fail);
    outgoing.end(req.body);
  });
}

/** `Retry-After` in seconds (the HTTP-date form is ignored), as milliseconds. */
function retryAfter(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim()) * 1000;
}
