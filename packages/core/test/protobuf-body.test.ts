/**
 * The protobuf body's buffer: bytes appended, left to be put later, and shifted either way,
 * against a plain array doing the same; growing and shifting in pieces of any size (down to one
 * byte per turn) never loses or overwrites a byte, and gives the event loop back between pieces.
 */
import { ProtobufBody } from '../src/protobuf/body';
import { countTurns } from '../../../test/helpers/turns';

/** Deterministic bytes: `count` of them from `seed`. */
function bytes(count: number, seed: number): Uint8Array {
  const out = new Uint8Array(count);
  let x = seed;
  for (let i = 0; i < count; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    out[i] = x & 0xff;
  }
  return out;
}

/** Runs `steps` on the body and on an array; both must hold the same bytes after each. */
async function compare(body: ProtobufBody, steps: ((model: number[]) => Promise<void> | void)[]): Promise<void> {
  const model: number[] = [];
  for (const step of steps) {
    await step(model);
    expect(body.length).toBe(model.length);
    expect(Buffer.compare(body.bytes(), Buffer.from(model))).toBe(0);
  }
}

describe.each([1, 3, 4096, 4 * 1024 * 1024])('%i bytes moved per turn', (perTurn) => {
  test.each([0, 10, 100_000])('starting from a size hint of %i: append, skip, put, shift either way', async (hint) => {
    const body = new ProtobufBody(hint, perTurn);
    const a = bytes(20_000, 1); // past the smallest buffer (16 KiB): grows
    const b = bytes(3_000, 2);
    await compare(body, [
      async (m) => {
        await body.append(a);
        m.push(...a);
      },
      async (m) => {
        await body.skip(2);
        m.push(0, 0);
        body.put(Uint8Array.of(0, 0), m.length - 2);
      },
      async (m) => {
        await body.append(b);
        m.push(...b);
      },
      // Room for a 3-byte prefix before b, then 1 byte less.
      async (m) => {
        const at = a.length + 2;
        await body.shift(at, 1);
        m.splice(at, 0, 0);
        body.put(Uint8Array.of(0), at);
      },
      async (m) => {
        const at = a.length + 3;
        await body.shift(at, -1);
        m.splice(at - 1, 1);
      },
      async (m) => {
        body.put(Uint8Array.of(7, 8), a.length);
        m[a.length] = 7;
        m[a.length + 1] = 8;
      },
      // Shifting right by more than a piece, then back, from the very start.
      async (m) => {
        await body.shift(0, 5);
        m.unshift(0, 0, 0, 0, 0);
        body.put(Uint8Array.of(1, 2, 3, 4, 5), 0);
        m.splice(0, 5, 1, 2, 3, 4, 5);
      },
      async (m) => {
        await body.shift(5, -5);
        m.splice(0, 5);
      },
    ]);
  });
});

test('growing and shifting a body larger than a piece gives the event loop back between pieces', async () => {
  const body = new ProtobufBody(0, 1024);
  const content = bytes(64 * 1024, 3);
  await body.append(content.subarray(0, 1000));
  const stop = countTurns();
  await body.append(content.subarray(1000)); // outgrows 16 KiB: 1,000 bytes copied, then more
  await body.shift(100, 2);
  await body.shift(102, -2);
  const turns = stop();
  // One piece of 1,024 bytes per turn: 63 turns for each shift of about 64 KiB.
  expect(turns).toBeGreaterThanOrEqual(2 * 63);
  expect(Buffer.compare(body.bytes(), Buffer.from(content))).toBe(0);
});

test('put refuses bytes past the end', async () => {
  const body = new ProtobufBody();
  await body.append(bytes(4, 4));
  expect(() => body.put(Uint8Array.of(1, 2), 3)).toThrow(RangeError);
});
