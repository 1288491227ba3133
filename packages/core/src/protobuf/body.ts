/**
 * The buffer a protobuf scrape's body is written into, turn by turn: allocated once at the size
 * of the last body plus an eighth, and doubled only when outgrown. Every step that moves more
 * than a turn's worth of bytes (growing, shifting a family to make room for its length prefix)
 * moves {@link MOVE_BYTES_PER_TURN} bytes per turn, so no single step holds the event loop for
 * the size of the body. A body gathered from many buffers joined at the end was one copy of the
 * whole exposition in one turn, and each of its parts external memory that brought V8's
 * old-generation collections into the scrape.
 */

/** Bytes copied or moved in one turn of the event loop (a copy is far cheaper than encoding). */
const MOVE_BYTES_PER_TURN = 4 * 1024 * 1024;
const MIN_BODY_BYTES = 16 * 1024;

export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class ProtobufBody {
  private buffer: Buffer;
  /** Bytes written so far. */
  length = 0;

  /**
   * @param sizeHint bytes expected (the last body's size); the buffer starts an eighth larger.
   * @param moveBytesPerTurn bytes copied or moved per turn when growing or shifting.
   */
  constructor(
    sizeHint = 0,
    private readonly moveBytesPerTurn = MOVE_BYTES_PER_TURN,
  ) {
    this.buffer = Buffer.allocUnsafeSlow(Math.max(MIN_BODY_BYTES, Math.ceil(sizeHint * 1.125)));
  }

  /** Copies `bytes` to the end of the body. */
  async append(bytes: Uint8Array): Promise<void> {
    await this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** Leaves `count` bytes at the end of the body to be written later with {@link put}. */
  async skip(count: number): Promise<void> {
    await this.reserve(count);
    this.length += count;
  }

  /** Writes `bytes` at `at`, over bytes already counted in the body. */
  put(bytes: Uint8Array, at: number): void {
    if (at + bytes.length > this.length) throw new RangeError(`protobuf body: ${bytes.length} bytes at ${at} past its end (${this.length})`);
    this.buffer.set(bytes, at);
  }

  /**
   * Moves the bytes from `from` to the end by `delta` (negative: towards the start), in pieces
   * of `moveBytesPerTurn` bytes, a turn each. Pieces are taken in the order that never
   * overwrites bytes still to be moved.
   */
  async shift(from: number, delta: number): Promise<void> {
    if (delta === 0) return;
    const end = this.length;
    if (delta > 0) {
      await this.reserve(delta);
      for (let to = end; to > from; to -= this.moveBytesPerTurn) {
        const at = Math.max(from, to - this.moveBytesPerTurn);
        this.buffer.copyWithin(at + delta, at, to);
        if (at > from) await nextTurn();
      }
    } else {
      for (let at = from; at < end; at += this.moveBytesPerTurn) {
        this.buffer.copyWithin(at + delta, at, Math.min(end, at + this.moveBytesPerTurn));
        if (at + this.moveBytesPerTurn < end) await nextTurn();
      }
    }
    this.length += delta;
  }

  /**
   * The body written so far: a view of the buffer, not a copy, so the whole buffer lives while
   * the body is sent (on a process's first protobuf scrape, grown by doubling from 16 KiB, up to
   * twice the body; later scrapes start at the last body's size plus an eighth).
   */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  /** Room for `count` more bytes: a buffer twice the size (or more), the body copied in turns. */
  private async reserve(count: number): Promise<void> {
    if (this.length + count <= this.buffer.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.buffer.length * 2, this.length + count));
    for (let at = 0; at < this.length; at += this.moveBytesPerTurn) {
      this.buffer.copy(next, at, at, Math.min(this.length, at + this.moveBytesPerTurn));
      if (at + this.moveBytesPerTurn < this.length) await nextTurn();
    }
    this.buffer = next;
  }
}
