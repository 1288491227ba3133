/** Bounded traffic for the reliability scenarios: loopback only, every loop capped in count. */
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';

export interface Planned {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Destroy the request this many ms after sending it. */
  abortAfterMs?: number;
  /** Destroy the request when the first response byte arrives. */
  abortOnFirstByte?: boolean;
}

export interface Outcome {
  status: number;
  body: string;
  /** The client destroyed the request before the response ended. */
  aborted: boolean;
  error?: string;
}

export function send(baseUrl: string, planned: Planned, agent?: Agent): Promise<Outcome> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (outcome: Outcome) => {
      if (!settled) {
        settled = true;
        resolve(outcome);
      }
    };
    const req = httpRequest(`${baseUrl}${planned.path}`, { method: planned.method ?? 'GET', headers: planned.headers, agent: agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        if (planned.abortOnFirstByte) {
          req.destroy();
          done({ status: res.statusCode ?? 0, body: '', aborted: true });
        }
      });
      res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), aborted: false }));
      res.on('error', () => done({ status: res.statusCode ?? 0, body: '', aborted: true }));
    });
    req.on('error', (error) => done({ status: 0, body: '', aborted: settled || planned.abortAfterMs !== undefined, error: error.message }));
    if (planned.abortAfterMs !== undefined) {
      setTimeout(() => {
        if (!settled) {
          req.destroy();
          done({ status: 0, body: '', aborted: true });
        }
      }, planned.abortAfterMs);
    }
    req.end(planned.body);
  });
}

/** Sends every planned request with at most `concurrency` in flight, over keep-alive connections. */
export async function sendAll(baseUrl: string, plan: Planned[], concurrency: number): Promise<Outcome[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const outcomes: Outcome[] = new Array(plan.length);
  let next = 0;
  const worker = async () => {
    while (next < plan.length) {
      const i = next++;
      const p = plan[i]!;
      // Requests meant to be cut get their own connection, so a destroyed socket takes no other request with it.
      outcomes[i] = await send(baseUrl, p, p.abortAfterMs !== undefined || p.abortOnFirstByte ? undefined : agent);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, plan.length) }, worker));
  agent.destroy();
  return outcomes;
}

/** Writes `raw` bytes on a fresh connection and answers the status of the reply (0 if none). */
export function sendRaw(baseUrl: string, raw: string): Promise<number> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let data = '';
    const timer = setTimeout(() => socket.destroy(), 2000);
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      if (data.includes('\r\n')) socket.end();
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(data);
      resolve(match ? Number(match[1]) : 0);
    });
    socket.on('error', () => undefined);
    socket.write(raw);
  });
}

/** Heap used after a full collection, in bytes. */
export function heapAfterGc(): number {
  const gc = gcFunction();
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function gcFunction(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  require('node:v8').setFlagsFromString('--expose-gc');
  return require('node:vm').runInNewContext('gc') as () => void;
}
