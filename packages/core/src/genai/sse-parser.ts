/**
 * An incremental Server-Sent Events reader: chunks in as they are written, the `data` of each
 * complete event out. Frames may be split anywhere (across writes, inside a UTF-8 character,
 * between the `\r` and `\n` of a CRLF); lines end in `\n`, `\r\n` or a lone `\r`; comment lines
 * (`:`) and fields other than `data` are ignored; the `data` lines of one event are joined by
 * `\n`. Only the current line and event are held, each under `maxEventLength` characters: an
 * event past the cap is skipped (reported once through `onDropped`) and the reader carries on
 * at the next event.
 */
import { StringDecoder } from 'node:string_decoder';

const LF = 10;
const CR = 13;

export class SseParser {
  /** The current line so far. */
  private line = '';
  /** The `data` of the current event so far, and whether it has any `data` line. */
  private data = '';
  private hasData = false;
  /** The current event went past the cap: the rest of it is skipped. */
  private dropping = false;
  /** The current line has characters, kept or skipped (so it is not the blank line ending an event). */
  private lineTouched = false;
  /** The last chunk ended in `\r`: a `\n` starting the next one completes that line end. */
  private afterCR = false;
  private decoder: StringDecoder | undefined = undefined;

  constructor(
    private readonly maxEventLength: number,
    /** One complete event's `data` (events with no `data` line are not reported). */
    private readonly onEvent: (data: string) => void,
    /** An event was skipped for its length. */
    private readonly onDropped: () => void,
  ) {}

  /** A chunk of the stream, as `write` takes it: a string (in `encoding`, default UTF-8) or bytes. */
  push(chunk: unknown, encoding?: unknown): void {
    if (typeof chunk === 'string') {
      if (encoding === undefined || encoding === 'utf8' || encoding === 'utf-8' || typeof encoding !== 'string') {
        // Bytes still pending in the decoder belong before this text.
        this.feed(this.decoder === undefined ? chunk : this.decoder.end() + chunk);
        if (this.decoder !== undefined) this.decoder = undefined;
      } else {
        this.feed((this.decoder ??= new StringDecoder('utf8')).write(Buffer.from(chunk, encoding as BufferEncoding)));
      }
    } else if (chunk instanceof Uint8Array) {
      this.feed((this.decoder ??= new StringDecoder('utf8')).write(chunk as Buffer));
    }
  }

  /** The stream ended: a last line or event without its terminating blank line still counts. */
  end(): void {
    if (this.decoder !== undefined) this.feed(this.decoder.end());
    if (this.lineTouched) this.processLine(this.line, false);
    this.line = '';
    this.lineTouched = false;
    this.dispatch();
  }

  private feed(text: string): void {
    const n = text.length;
    let start = 0;
    if (this.afterCR) {
      this.afterCR = false;
      if (n > 0 && text.charCodeAt(0) === LF) start = 1;
    }
    // The next line end, by the engine's own search (most streams have no CR at all).
    let nextLF = text.indexOf('\n', start);
    let nextCR = text.indexOf('\r', start);
    while (start < n) {
      if (nextLF !== -1 && nextLF < start) nextLF = text.indexOf('\n', start);
      if (nextCR !== -1 && nextCR < start) nextCR = text.indexOf('\r', start);
      let i = nextLF === -1 ? nextCR : nextCR === -1 ? nextLF : Math.min(nextLF, nextCR);
      if (i === -1) {
        this.append(text, start, n);
        return;
      }
      const c = text.charCodeAt(i);
      this.append(text, start, i);
      const line = this.line;
      const blank = !this.lineTouched;
      this.line = '';
      this.lineTouched = false;
      this.processLine(line, blank);
      if (c === CR) {
        if (i + 1 < n) {
          if (text.charCodeAt(i + 1) === LF) i++;
        } else {
          this.afterCR = true;
        }
      }
      start = i + 1;
    }
  }

  /** Adds `text[from, to)` to the current line, unless the event is past its cap. */
  private append(text: string, from: number, to: number): void {
    if (from === to) return;
    this.lineTouched = true;
    if (this.dropping) return;
    if (this.line.length + this.data.length + (to - from) > this.maxEventLength) {
      this.drop();
      return;
    }
    this.line += from === 0 && to === text.length ? text : text.slice(from, to);
  }

  private drop(): void {
    this.dropping = true;
    this.line = '';
    this.data = '';
    this.hasData = false;
  }

  private processLine(line: string, blank: boolean): void {
    if (blank) {
      if (this.dropping) {
        this.dropping = false;
        this.onDropped();
      } else {
        this.dispatch();
      }
      return;
    }
    if (this.dropping) return;
    const colon = line.indexOf(':');
    if (colon === 0) return; // a comment
    const field = colon === -1 ? line : line.slice(0, colon);
    if (field !== 'data') return;
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (this.hasData) this.data += '\n';
    this.data += value;
    this.hasData = true;
  }

  private dispatch(): void {
    if (this.dropping) {
      this.dropping = false;
      this.onDropped();
      return;
    }
    if (!this.hasData) return;
    const data = this.data;
    this.data = '';
    this.hasData = false;
    this.onEvent(data);
  }
}
