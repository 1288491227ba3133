/** Real-socket helpers for tests: listen on an ephemeral loopback port, request, abort. */
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { parseExposition, type Exposition } from './exposition';

export interface Listening {
  url: string;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 with an ephemeral port. */
export async function listen(server: Server): Promise<Listening> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request over a fresh connection; the body is gunzipped when gzip-encoded. */
export function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let body = Buffer.concat(chunks);
        if (res.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: body.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * Sends a request and destroys the socket after `afterMs` (or as soon as the first response
 * byte arrives when `onFirstByte`), as a client that goes away would.
 */
export function abortedRequest(url: string, afterMs: number, onFirstByte = false): Promise<void> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { agent: false }, (res) => {
      if (onFirstByte) res.once('data', () => req.destroy());
      res.on('error', () => resolve());
      res.on('close', () => resolve());
    });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    if (!onFirstByte) setTimeout(() => req.destroy(), afterMs);
    req.end();
  });
}

/**
 * Sends a GET and destroys the socket once `ready` resolves (e.g. when the server's handler has
 * the request), as a client that goes away would; resolves when the client side has closed.
 */
export function requestAbortedWhen(url: string, ready: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { agent: false });
    req.on('error', () => undefined);
    req.on('close', () => resolve());
    req.end();
    void ready.then(() => req.destroy());
  });
}

/** Fetches and parses `/metrics` (or `path`). */
export async function scrape(baseUrl: string, path = '/metrics', headers: Record<string, string> = {}): Promise<Exposition> {
  const reply = await request(`${baseUrl}${path}`, { headers });
  if (reply.status !== 200) throw new Error(`scrape answered ${reply.status}: ${reply.body}`);
  return parseExposition(reply.body);
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
