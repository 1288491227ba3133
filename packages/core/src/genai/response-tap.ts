/**
 * Reads the response of a GenAI request as the app writes it. Only a request to a GenAI route
 * gets a tap: `write` and `end` of that one response instance are wrapped (shared functions,
 * no closure per request) and every call goes through to the original first, with the same
 * arguments, then the chunk is read: nothing is held back, copied into the response or changed.
 *
 * When the response starts (its first `write` or `end`, after the app's body parser ran) the
 * request body gives the model and `stream`; the response is then read as SSE (a
 * `text/event-stream` content type; with none, a first byte that is not `{`/`[`) or as one JSON body.
 * A compressed response (`Content-Encoding` set, or gzip's magic bytes) is not decoded: it is
 * counted with its duration and status, and as unread. Everything is recorded once, when the
 * response closes.
 */
import { performance } from 'node:perf_hooks';
import type { ServerResponse } from 'node:http';
import type { RequestState } from '../request-state';
import { closeOutcome } from '../node-response';
import type { GenAiMetrics, GenAiSeries } from './genai-metrics';
import { type TokenUsage, errorTypeOf, finishReason, hasContent, quickContent, readUsage } from './openai';
import { OPERATIONS } from './options';
import { SseParser } from './sse-parser';
import type { GenAiTracker } from './tracker';

const kExchange = Symbol.for('promwire.genai');
type Tapped = ServerResponse & { [kExchange]?: Exchange };
type Call = (...args: unknown[]) => unknown;

const UNDECIDED = 0;
const SSE = 1;
const JSON_BODY = 2;
const OPAQUE = 3;

/** One GenAI request's reading of its response. */
class Exchange {
  started = false;
  done = false;
  ending = false;
  metrics: GenAiMetrics | undefined = undefined;
  series: GenAiSeries | undefined = undefined;
  stream = false;
  mode = UNDECIDED;
  sse: SseParser | undefined = undefined;
  chunks: unknown[] | undefined = undefined;
  encodings: unknown[] | undefined = undefined;
  bodyLength = 0;
  tooLong = false;
  /** `performance.now()` of the first and the latest content event, -1 before. */
  firstContent = -1;
  lastContent = -1;
  usage: TokenUsage | undefined = undefined;
  finish = '';
  error = '';
  /** What `bodyOf` reads, when not the state's `req` (see {@link genAiBodySource}). */
  source: unknown = undefined;

  constructor(
    public tracker: GenAiTracker | undefined,
    public state: RequestState<unknown, unknown>,
    readonly operation: number,
    readonly write: Call,
    readonly end: Call,
  ) {}

  /** The response starts: read the request body and count the request in flight. */
  begin(): void {
    this.started = true;
    const metrics = this.tracker?.recorder();
    if (metrics === undefined) return;
    const body = this.tracker!.body(this.source ?? this.state.req);
    const model = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).model : undefined;
    this.stream = typeof body === 'object' && body !== null && (body as Record<string, unknown>).stream === true;
    this.series = metrics.seriesFor(OPERATIONS[this.operation]!, typeof model === 'string' ? model : '');
    this.metrics = metrics;
    metrics.begin(this.series);
  }

  /** A chunk the app wrote. */
  read(res: ServerResponse, chunk: unknown, encoding: unknown): void {
    if (!this.started) this.begin();
    if (this.metrics === undefined || typeof chunk === 'function' || chunk === undefined || chunk === null) return;
    if (this.mode === UNDECIDED) this.decide(res, chunk);
    if (this.mode === SSE) this.sse!.push(chunk, encoding);
    else if (this.mode === JSON_BODY) this.collect(chunk, encoding);
  }

  private decide(res: ServerResponse, chunk: unknown): void {
    // Headers given to `writeHead` as an object bypass `getHeader`; they are in the head it wrote.
    const head = (res as { _header?: unknown })._header;
    const encoding = res.getHeader('content-encoding') ?? headerIn(head, CONTENT_ENCODING);
    const type = res.getHeader('content-type') ?? headerIn(head, CONTENT_TYPE);
    let mode: number;
    if (encoding !== undefined && encoding !== 'identity') mode = OPAQUE;
    else if (typeof type === 'string' && type !== '') mode = type.includes('text/event-stream') ? SSE : JSON_BODY;
    else {
      const first = typeof chunk === 'string' ? chunk.charCodeAt(0) : chunk instanceof Uint8Array ? chunk[0] : undefined;
      if (first === undefined || Number.isNaN(first)) return; // nothing written yet: decide at the next chunk
      mode = first === 0x7b || first === 0x5b || first === 0x20 || first === 0x0a ? JSON_BODY : first === 0x1f ? OPAQUE : SSE;
    }
    this.mode = mode;
    if (mode === SSE) {
      this.sse = new SseParser(this.tracker!.options.maxEventBytes, (data) => this.event(data), () => this.unread('event_too_long'));
    } else if (mode === OPAQUE) {
      this.unread('compressed');
    }
  }

  /** One SSE event's data. */
  private event(data: string): void {
    if (data === '[DONE]') return;
    // Most chunks carry one token and nothing else: those are not parsed.
    const quick = quickContent(data);
    if (quick !== undefined) {
      if (quick) this.content();
      return;
    }
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      this.unread('not_json');
      return;
    }
    if (hasContent(chunk)) this.content();
    this.readJson(chunk);
  }

  /** A content event: TTFT for the first, the gap since the previous for the others. */
  private content(): void {
    const now = performance.now();
    if (this.firstContent < 0) {
      this.firstContent = now;
      this.metrics!.firstToken(this.series!, (now - this.state.start) / 1000);
    } else {
      this.metrics!.chunkGap(this.series!, (now - this.lastContent) / 1000);
    }
    this.lastContent = now;
  }

  private readJson(value: unknown): void {
    const finish = finishReason(value);
    if (finish !== undefined) this.finish = finish;
    const usage = readUsage(value);
    if (usage !== undefined) this.usage = usage;
    const error = errorTypeOf(value);
    if (error !== undefined) this.error = error;
  }

  /** A chunk of a JSON body: kept by reference (the app's own string or buffer) up to the cap. */
  private collect(chunk: unknown, encoding: unknown): void {
    if (this.tooLong) return;
    const length = typeof chunk === 'string' ? chunk.length : chunk instanceof Uint8Array ? chunk.byteLength : 0;
    if (length === 0) return;
    this.bodyLength += length;
    if (this.bodyLength > this.tracker!.options.maxBodyBytes) {
      this.tooLong = true;
      this.chunks = this.encodings = undefined;
      return;
    }
    (this.chunks ??= []).push(chunk);
    (this.encodings ??= []).push(encoding);
  }

  /**
   * The response closed: `aborted` when its client went away first, `errored` when the server
   * destroyed it with an error (recorded as a 5xx). Records the request once.
   */
  close(res: ServerResponse, aborted: boolean, errored: boolean): void {
    if (this.done) return;
    this.done = true;
    if (!this.started) this.begin();
    const metrics = this.metrics;
    if (metrics === undefined) return;
    const seconds = (performance.now() - this.state.start) / 1000;
    if (!aborted) {
      if (this.mode === SSE) this.sse!.end();
      else if (this.mode === JSON_BODY) this.parseBody();
    }
    const status = errored ? 500 : res.statusCode;
    let errorType = this.error;
    if (aborted) errorType = 'aborted';
    else if (errorType === '' && status >= 400) errorType = `${Math.floor(status / 100)}xx`;
    metrics.end({
      series: this.series!,
      stream: this.stream,
      finishReason: this.finish,
      errorType,
      seconds,
      usage: this.usage,
      ttft: this.firstContent < 0 ? -1 : (this.firstContent - this.state.start) / 1000,
      usageMissing: this.mode === SSE && !aborted && this.usage === undefined,
    }, true);
  }

  private parseBody(): void {
    if (this.tooLong) return this.unread('body_too_long');
    const chunks = this.chunks;
    if (chunks === undefined) return;
    this.chunks = undefined;
    let text: string;
    if (chunks.length === 1 && typeof chunks[0] === 'string' && isUtf8(this.encodings![0])) text = chunks[0];
    else {
      text = Buffer.concat(chunks.map((c, i) => (typeof c === 'string' ? Buffer.from(c, isUtf8(this.encodings![i]) ? 'utf8' : (this.encodings![i] as BufferEncoding)) : (c as Uint8Array)))).toString('utf8');
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return this.unread('not_json');
    }
    this.readJson(body);
  }

  private unread(reason: string): void {
    this.metrics!.unreadOne(OPERATIONS[this.operation]!, reason);
  }
}

/**
 * Called by the lifecycle when it begins a request (or takes one over): taps `res` when `url`
 * is a GenAI route of `tracker`. On a response tapped already (taken over before it started),
 * the new lifecycle's tracker and state replace the old: undefined stops the reading.
 */
export function tapGenAi(
  tracker: GenAiTracker | undefined, state: RequestState<unknown, unknown>, url: string | undefined, res: ServerResponse, takenOver: boolean,
): void {
  const existing = takenOver ? (res as Tapped)[kExchange] : undefined;
  if (existing !== undefined) {
    if (!existing.started) {
      existing.tracker = tracker;
      existing.state = state;
    }
    return;
  }
  if (tracker === undefined || url === undefined) return;
  const operation = tracker.operationOf(url);
  if (operation < 0) return;
  (res as Tapped)[kExchange] = new Exchange(tracker, state, operation, res.write as Call, res.end as Call);
  res.write = tapWrite as ServerResponse['write'];
  res.end = tapEnd as ServerResponse['end'];
  res.on('close', tapClose);
}

/**
 * For an adapter whose user callbacks get Node's request while the framework parses the body
 * onto its own (NestJS on Fastify): `source` is what the lifecycle's `bodyOf` reads for the
 * GenAI request answered on `res`. Does nothing on any other response.
 */
export function genAiBodySource(res: ServerResponse, source: unknown): void {
  const x = (res as Tapped)[kExchange];
  if (x !== undefined) x.source = source;
}

function tapWrite(this: ServerResponse, chunk: unknown, encoding?: unknown): unknown {
  const x = (this as Tapped)[kExchange]!;
  // eslint-disable-next-line prefer-rest-params
  const result = x.write.apply(this, arguments as unknown as unknown[]);
  if (!x.ending && !x.done) observe(x, this, chunk, encoding);
  return result;
}

function tapEnd(this: ServerResponse, chunk?: unknown, encoding?: unknown): unknown {
  const x = (this as Tapped)[kExchange]!;
  x.ending = true;
  let result: unknown;
  try {
    // eslint-disable-next-line prefer-rest-params
    result = x.end.apply(this, arguments as unknown as unknown[]);
  } finally {
    x.ending = false;
  }
  if (!x.done) observe(x, this, chunk, encoding);
  return result;
}

/** Reading never breaks a response: a failure leaves this request's metrics incomplete. */
function observe(x: Exchange, res: ServerResponse, chunk: unknown, encoding: unknown): void {
  try {
    x.read(res, chunk, encoding);
  } catch {
    // left unread
  }
}

/** Read as the HTTP metrics read it ({@link closeOutcome}): errored by the server, or the client went away. */
function tapClose(this: ServerResponse): void {
  const x = (this as Tapped)[kExchange]!;
  const outcome = closeOutcome(this);
  try {
    x.close(this, outcome === 'aborted', outcome === 'errored');
  } catch {
    // never breaks the response
  }
}

const CONTENT_TYPE = /\r\ncontent-type:[ \t]*([^\r\n]*)/i;
const CONTENT_ENCODING = /\r\ncontent-encoding:[ \t]*([^\r\n]*)/i;

/** A header's value in the head Node wrote (`res._header`), or undefined. */
function headerIn(head: unknown, pattern: RegExp): string | undefined {
  if (typeof head !== 'string') return undefined;
  return pattern.exec(head)?.[1]?.trim();
}

function isUtf8(encoding: unknown): boolean {
  return encoding === undefined || encoding === 'utf8' || encoding === 'utf-8' || typeof encoding !== 'string';
}
