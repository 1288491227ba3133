/**
 * The incremental SSE reader, table-driven: the same stream cut every way a writer can cut it
 * gives the same events; comments, other fields, CRLF and lone CR; an event past the cap is
 * skipped and counted while the events around it come through.
 */
import { SseParser } from '../src/genai/sse-parser';

function read(chunks: (string | Uint8Array)[], max = 1024 * 1024): { events: string[]; dropped: number } {
  const events: string[] = [];
  let dropped = 0;
  const parser = new SseParser(max, (data) => events.push(data), () => dropped++);
  for (const chunk of chunks) parser.push(chunk);
  parser.end();
  return { events, dropped };
}

const STREAM = 'data: {"a":"héllo ✓ 🙂"}\n\n: keep-alive comment\n\nevent: message\nid: 7\nretry: 100\ndata: first line\ndata: second line\n\ndata:no-space\n\ndata\n\ndata: [DONE]\n\n';
const EVENTS = ['{"a":"héllo ✓ 🙂"}', 'first line\nsecond line', 'no-space', '', '[DONE]'];

function bytes(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

function pieces(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

describe('SseParser', () => {
  it.each([
    ['one string', [STREAM]],
    ['one buffer', [bytes(STREAM)]],
    ['one character per write', [...STREAM]],
    ['one byte per write (inside multi-byte characters)', pieces(bytes(STREAM), 1)],
    ['3 bytes per write', pieces(bytes(STREAM), 3)],
    ['7 bytes per write', pieces(bytes(STREAM), 7)],
    ['CRLF line ends', [STREAM.replace(/\n/g, '\r\n')]],
    ['CRLF, one byte per write (CR and LF in separate writes)', pieces(bytes(STREAM.replace(/\n/g, '\r\n')), 1)],
    ['lone CR line ends', [STREAM.replace(/\n/g, '\r')]],
    ['lone CR, one byte per write', pieces(bytes(STREAM.replace(/\n/g, '\r')), 1)],
    ['strings and buffers mixed', [STREAM.slice(0, 20), bytes(STREAM.slice(20, 60)), STREAM.slice(60)]],
  ])('%s gives the same events', (_name, chunks) => {
    expect(read(chunks)).toEqual({ events: EVENTS, dropped: 0 });
  });

  it('a last event without its blank line still counts when the stream ends', () => {
    expect(read(['data: a\n\ndata: b']).events).toEqual(['a', 'b']);
  });

  it('an event past the cap is skipped and counted once; the next comes through', () => {
    const long = `data: ${'x'.repeat(200)}\n`;
    expect(read(['data: before\n\n', long, long, '\n', 'data: after\n\n'], 100)).toEqual({ events: ['before', 'after'], dropped: 1 });
    // Multi-line data counts towards the cap too.
    expect(read([`${'data: 0123456789\n'.repeat(20)}\ndata: ok\n\n`], 100)).toEqual({ events: ['ok'], dropped: 1 });
  });

  it('a 10 MiB event written in 64 KiB pieces is skipped and counted, never held whole', () => {
    const max = 1024 * 1024;
    const events: string[] = [];
    let dropped = 0;
    const parser = new SseParser(max, (data) => events.push(data), () => dropped++);
    parser.push('data: {"choices":[{"delta":{"content":"a"}}]}\n\n');
    const piece = Buffer.alloc(64 * 1024, 0x61);
    parser.push('data: ');
    let held = 0;
    for (let i = 0; i < 160; i++) {
      parser.push(piece);
      held = Math.max(held, (parser as unknown as { line: string }).line.length);
    }
    parser.push('\n\ndata: [DONE]\n\n');
    parser.end();
    expect(events).toEqual(['{"choices":[{"delta":{"content":"a"}}]}', '[DONE]']);
    expect(dropped).toBe(1);
    expect(held).toBeLessThanOrEqual(max);
  });
});
