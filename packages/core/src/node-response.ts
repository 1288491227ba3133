/**
 * Ties a recorder's `end` to a Node `ServerResponse`: one shared `close` listener per response
 * (no closure per request). `close` follows `finish` for a completed response and comes alone
 * when the connection dropped first, which is recorded as 499. With `responseSize`, `write` and
 * `end` are wrapped to count the bytes actually written.
 *
 * The state is one symbol-keyed property of the response. Express gives each response its app's
 * own prototype, and on such an object every added property costs about 1.5 µs (measured), so
 * on a framework-owned prototype the counting wrappers are installed once, on the prototype,
 * rather than as two more properties of each response. (A WeakMap instead of the property was
 * measured too: it moved the cost into garbage collection, about 5 % more of the CPU profile.)
 */
import { ServerResponse } from 'node:http';
import type { RequestState } from './request-state';

type AnyState = RequestState<unknown, unknown>;
type Write = ServerResponse['write'];
type End = ServerResponse['end'];

// Registered, so that a second copy of promwire in the process (a nested node_modules) sees
// the requests this one tracks, and neither counts them twice.
const kState = Symbol.for('promwire.state');
type Tracked = ServerResponse & { [kState]?: AnyState };

/**
 * Fields of Node's `ServerResponse` read when it closes, by computed key. Express gives each
 * response a prototype of its own after Node built it, and every property added after that
 * (`res.locals`, headers state) makes a map for that one object, so a named read on it misses
 * V8's caches every time and runs the runtime's lookup (about 1,300 instructions, callgrind);
 * a computed key takes V8's generic keyed lookup instead, which finds an own field without the
 * runtime (about 200). Getters (`writableFinished`) would run Node's own named reads, so the
 * fields they read are read directly.
 */
const FINISHED = 'finished';
const SOCKET = 'socket';
const OUTPUT_SIZE = 'outputSize';
const STATUS_CODE = 'statusCode';
type OwnFields = Record<typeof FINISHED | typeof SOCKET | typeof OUTPUT_SIZE | typeof STATUS_CODE, unknown>;

/** Framework-owned response prototypes whose write/end already count. */
const counting = new WeakSet<object>();

/**
 * Records `state` when `res` closes: with its `statusCode` once finished; as 499 when the client
 * went away first; as 500 when the server destroyed the response with an error (a body stream
 * that failed after the headers went out). Called once per response, by the request lifecycle,
 * which first asks {@link stateOf} whether the response is tracked already.
 */
export function endOnClose<Req, Res>(state: RequestState<Req, Res>, res: ServerResponse): void {
  (res as Tracked)[kState] = state as AnyState;
  if (state.recorder.countsResponseBytes) countBytes(res, state as AnyState);
  res.on('close', onClose);
}

/**
 * `state` replaces `previous` on `res` (a lifecycle of a lower rank took the request over, see
 * the lifecycle's `YIELDS`): `previous` leaves the in-flight gauge unrecorded, and the `close`
 * listener already on `res` ends `state` instead. Byte counting carries over.
 */
export function takeOver<Req, Res>(previous: RequestState<unknown, unknown>, state: RequestState<Req, Res>, res: ServerResponse): void {
  previous.recorder.discard(previous);
  (res as Tracked)[kState] = state as AnyState;
  if (previous.write !== undefined) {
    // Wrapped one by one: the wrappers now read `state`, which keeps the original functions.
    state.write = previous.write;
    state.end = previous.end;
  } else if (state.recorder.countsResponseBytes) {
    countBytes(res, state as AnyState);
  }
}

/** The state `endOnClose` attached to `res`, if any. */
export function stateOf<Req, Res>(res: ServerResponse): RequestState<Req, Res> | undefined {
  return (res as Tracked)[kState] as RequestState<Req, Res> | undefined;
}

/** Begun at the server for an adapter that never reached it: not recorded. Else by {@link closeOutcome}. */
function onClose(this: ServerResponse): void {
  const res = this as Tracked & OwnFields;
  const state = res[kState]!;
  if (state.unadopted) state.recorder.discard(state);
  // The usual close: finished, and Node detached the socket (its `resOnFinish`), which is what
  // `writableFinished` answers for a response without a socket, read from the fields it reads.
  else if (res[FINISHED] === true && res[SOCKET] === null && res[OUTPUT_SIZE] === 0) state.recorder.end(state, res[STATUS_CODE] as number);
  else {
    const outcome = closeOutcome(this);
    state.recorder.end(state, outcome === 'errored' ? 500 : this.statusCode, outcome === 'aborted');
  }
}

/** How a response ended, read when it closes: see {@link closeOutcome}. */
export type CloseOutcome = 'finished' | 'errored' | 'ended' | 'aborted';

/**
 * Finished: `finish` came first (the status sent). Else errored by the server: 500. Else ended
 * with the connection still up (an in-process response such as Fastify's `inject()`, whose
 * `close` comes before `finish` counts as flushed): the status sent. Else the client went away
 * first: 499. The HTTP and GenAI metrics both read a close this way.
 */
export function closeOutcome(res: ServerResponse): CloseOutcome {
  if (res.writableFinished) return 'finished';
  if (res.errored != null && erroredByServer(res)) return 'errored';
  if (res.writableEnded && res.socket !== null && !res.socket.destroyed) return 'ended';
  return 'aborted';
}

/**
 * The response was destroyed with an error of the server's (a body stream that failed), not
 * because its client went away: a stream piped into a response (`pipeline`, as Koa does) may
 * see the client's reset first and destroy the response with ERR_STREAM_PREMATURE_CLOSE before
 * the response's own `close`. The server's error is what destroyed the socket too; a client's
 * close leaves the socket with no error or one of its own (ECONNRESET).
 */
function erroredByServer(res: ServerResponse): boolean {
  const socket = res.socket;
  return socket === null || socket.errored === res.errored;
}

/**
 * A prototype made for one app (Express's `app.response`: no `constructor` of its own) is
 * wrapped once; a class prototype (`ServerResponse`, or a test library's subclass) is shared by
 * every server in the process, so those responses are wrapped one by one instead.
 */
function countBytes(res: ServerResponse, state: AnyState): void {
  const proto = Object.getPrototypeOf(res) as object | null;
  if (proto !== null && proto !== ServerResponse.prototype && !Object.prototype.hasOwnProperty.call(proto, 'constructor')) {
    if (!counting.has(proto)) {
      counting.add(proto);
      wrap(proto as ServerResponse, (proto as ServerResponse).write, (proto as ServerResponse).end);
    }
    return;
  }
  state.write = res.write;
  state.end = res.end;
  res.write = instanceWrite as Write;
  res.end = instanceEnd as End;
}

/** Installs counting write/end on a framework-owned prototype, over the ones it inherited. */
function wrap(target: ServerResponse, write: Write, end: End): void {
  target.write = function promwireWrite(this: ServerResponse, chunk: unknown, ...rest: unknown[]): boolean {
    count((this as Tracked)[kState], chunk, rest[0]);
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as Write;
  target.end = function promwireEnd(this: ServerResponse, chunk?: unknown, ...rest: unknown[]): ServerResponse {
    return ending((this as Tracked)[kState], end, this, chunk, rest);
  } as End;
}

function instanceWrite(this: ServerResponse, chunk: unknown, ...rest: unknown[]): boolean {
  const state = (this as Tracked)[kState]!;
  count(state, chunk, rest[0]);
  return (state.write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
}

function instanceEnd(this: ServerResponse, chunk?: unknown, ...rest: unknown[]): ServerResponse {
  const state = (this as Tracked)[kState]!;
  return ending(state, state.end as End, this, chunk, rest);
}

/** Calls `end`, counting its chunk; writes that `end` itself makes through `write` are not counted again. */
function ending(state: AnyState | undefined, end: End, res: ServerResponse, chunk: unknown, rest: unknown[]): ServerResponse {
  const call = end as (...args: unknown[]) => ServerResponse;
  if (state === undefined) return call.call(res, chunk, ...rest);
  if (typeof chunk !== 'function') count(state, chunk, rest[0]);
  state.ending = true;
  try {
    return call.call(res, chunk, ...rest);
  } finally {
    state.ending = false;
  }
}

function count(state: AnyState | undefined, chunk: unknown, encoding: unknown): void {
  if (state === undefined || state.ending) return;
  if (typeof chunk === 'string') {
    state.responseBytes += Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  } else if (chunk instanceof Uint8Array) {
    state.responseBytes += chunk.byteLength;
  }
}
