/**
 * Ties a recorder's `end` to a Node `ServerResponse`: one shared `close` listener per response
 * (no closure per request). `close` follows `finish` for a completed response and comes alone
 * when the connection dropped first, which is recorded as 499. With `responseSize`, `write` and
 * `end` are wrapped by shared functions that count the bytes actually written.
 */
import type { ServerResponse } from 'node:http';
import type { RequestState } from './request-state';

const kState = Symbol('promwire.state');
const kWrite = Symbol('promwire.write');
const kEnd = Symbol('promwire.end');
const kEnding = Symbol('promwire.ending');

interface Tracked extends ServerResponse {
  [kState]: RequestState<unknown, unknown>;
  [kWrite]: ServerResponse['write'];
  [kEnd]: ServerResponse['end'];
  /** True inside `end`, whose own `write` calls (some implementations make them) are not counted again. */
  [kEnding]: boolean;
}

/**
 * Records `state` when `res` closes: with its `statusCode` once finished; as 499 when the client
 * went away first; as 500 when the server destroyed the response with an error (a body stream
 * that failed after the headers went out). A response already tracked keeps its first state:
 * the second call discards `state` (two promwire middlewares on one request count it once).
 */
export function endOnClose<Req, Res>(state: RequestState<Req, Res>, res: ServerResponse): void {
  const tracked = res as Tracked;
  if (tracked[kState] !== undefined) {
    state.recorder.discard(state);
    return;
  }
  tracked[kState] = state as RequestState<unknown, unknown>;
  if (state.recorder.countsResponseBytes) {
    tracked[kWrite] = res.write;
    tracked[kEnd] = res.end;
    res.write = countingWrite as ServerResponse['write'];
    res.end = countingEnd as ServerResponse['end'];
  }
  res.on('close', onClose);
}

/** The state `endOnClose` attached to `res`, if any. */
export function stateOf<Req, Res>(res: ServerResponse): RequestState<Req, Res> | undefined {
  return (res as Partial<Tracked>)[kState] as RequestState<Req, Res> | undefined;
}

function onClose(this: Tracked): void {
  const state = this[kState];
  if (this.writableFinished) state.recorder.end(state, this.statusCode);
  else if (this.errored != null) state.recorder.end(state, 500);
  else state.recorder.end(state, this.statusCode, true);
}

function countingWrite(this: Tracked, chunk: unknown, ...rest: unknown[]): boolean {
  if (this[kEnding] !== true) this[kState].responseBytes += byteLength(chunk, rest[0]);
  return (this[kWrite] as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
}

function countingEnd(this: Tracked, chunk?: unknown, ...rest: unknown[]): ServerResponse {
  if (typeof chunk !== 'function') this[kState].responseBytes += byteLength(chunk, rest[0]);
  this[kEnding] = true;
  try {
    return (this[kEnd] as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest);
  } finally {
    this[kEnding] = false;
  }
}

function byteLength(chunk: unknown, encoding: unknown): number {
  if (typeof chunk === 'string') {
    return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  }
  if (chunk instanceof Uint8Array) return chunk.byteLength;
  return 0;
}
