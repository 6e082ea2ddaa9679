/**
 * Cuts a byte stream into frames (see codec.ts for the layout). Refuses a declared length
 * above the limit as soon as the length words are seen, without buffering the body.
 *
 * Copies: a tail is copied once, from the socket's buffer straight into its target. A
 * payload is copied once when the bytes are borrowed (the caller reuses the buffer) or when
 * it spans reads; otherwise it is a view on the bytes pushed.
 */
import { MAX_FRAME_BYTES } from '../core/constants.js';
import { DecodeError } from './errors.js';

/** Bytes in one length word. */
export const WORD = 4;
/** Set in the first length word of a frame that carries a raw tail. */
export const TAIL_FLAG = 0x8000_0000;

/** One frame cut from the stream: its MessagePack payload and its raw tail, if any. */
export interface RawFrame {
  readonly payload: Buffer;
  readonly tail: Uint8Array | null;
}

/**
 * Where a frame's tail should land: a buffer of exactly `length` bytes the caller already
 * owns (e.g. the slot a chunk is awaited in), or undefined for a fresh one.
 */
export type TailTarget = (payload: Buffer, length: number) => Uint8Array | undefined;

interface TailInProgress {
  readonly payload: Buffer;
  readonly into: Uint8Array;
  filled: number;
  /** Set by dropTail(): the rest of the tail is skipped and the frame is not returned. */
  dropped: boolean;
}

/** A frame's length words, once enough bytes are there to read them. */
interface Head {
  /** Bytes of length words plus payload. */
  readonly size: number;
  /** The tail's length, or -1 for a frame without a tail. */
  readonly tailLen: number;
}

export class FrameDecoder {
  /** Bytes of a frame head that spans pushes (always owned). */
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** The spanning head's length words, once they are all there. */
  private partialHead: Head | null = null;
  private tail: TailInProgress | null = null;

  constructor(
    private readonly maxFrame = MAX_FRAME_BYTES,
    private readonly tailTarget: TailTarget = () => undefined,
  ) {}

  /**
   * Feeds bytes; returns the frames now complete. Throws DecodeError on a bad length.
   * `borrowed` bytes are reused by the caller once this returns: whatever is kept is copied.
   */
  push(data: Buffer, borrowed = false): RawFrame[] {
    const out: RawFrame[] = [];
    let off = 0;
    while (off < data.length) {
      if (this.tail) {
        off = this.fillTail(data, off, out);
      } else if (this.partialBytes > 0) {
        off = this.growPartial(data, off, out);
      } else {
        const head = this.readHead(data, off);
        if (!head || data.length - off < head.size) {
          this.partialHead = head;
          this.keep(data.subarray(off));
          return out;
        }
        const payload = data.subarray(off + wordsOf(head) * WORD, off + head.size);
        this.startFrame(borrowed ? Buffer.from(payload) : payload, head.tailLen, out);
        off += head.size;
      }
    }
    return out;
  }

  /** Whether part of a frame has arrived and the rest has not. */
  get midFrame(): boolean {
    return this.partialBytes > 0 || this.tail !== null;
  }

  /**
   * The tail being received will not be wanted (its request was given up): no further byte
   * is written into its target, and the frame is skipped.
   */
  dropTail(into: Uint8Array): void {
    if (this.tail?.into === into) this.tail.dropped = true;
  }

  /** The length words at `off`, checked against the limit; null until all of them are there. */
  private readHead(buf: Buffer, off: number): Head | null {
    if (buf.length - off < WORD) return null;
    const word = buf.readUInt32BE(off);
    const hasTail = word >= TAIL_FLAG;
    const len = hasTail ? word - TAIL_FLAG : word;
    if (len > this.maxFrame) throw new DecodeError(`frame of ${len} bytes exceeds the ${this.maxFrame}-byte limit`);
    if (!hasTail) return { size: WORD + len, tailLen: -1 };
    if (buf.length - off < 2 * WORD) return null;
    const tailLen = buf.readUInt32BE(off + WORD);
    if (tailLen > this.maxFrame)
      throw new DecodeError(`tail of ${tailLen} bytes exceeds the ${this.maxFrame}-byte limit`);
    return { size: 2 * WORD + len, tailLen };
  }

  /** Adds to a head that spans pushes, taking only the bytes it needs; returns the new offset. */
  private growPartial(data: Buffer, off: number, out: RawFrame[]): number {
    if (!this.partialHead) {
      // Fewer bytes than the length words so far: take just enough to read them.
      const have = Buffer.concat(this.partial);
      const want = (have.length < WORD ? WORD : 2 * WORD) - have.length;
      const joined = Buffer.concat([have, data.subarray(off, off + want)]);
      this.partial = [joined];
      this.partialBytes = joined.length;
      this.partialHead = this.readHead(joined, 0);
      off += Math.min(want, data.length - off);
      if (!this.partialHead) return off;
    }
    const head = this.partialHead;
    const piece = data.subarray(off, off + head.size - this.partialBytes);
    this.keep(piece);
    if (this.partialBytes === head.size) {
      const whole = Buffer.concat(this.partial);
      this.partial = [];
      this.partialBytes = 0;
      this.partialHead = null;
      this.startFrame(whole.subarray(wordsOf(head) * WORD), head.tailLen, out);
    }
    return off + piece.length;
  }

  private keep(bytes: Buffer): void {
    this.partial.push(Buffer.from(bytes));
    this.partialBytes += bytes.length;
  }

  /** A frame whose payload is complete: returned now, or once its tail has arrived. */
  private startFrame(payload: Buffer, tailLen: number, out: RawFrame[]): void {
    if (tailLen < 0) return void out.push({ payload, tail: null });
    if (tailLen === 0) return void out.push({ payload, tail: new Uint8Array(0) });
    const into = this.tailTarget(payload, tailLen);
    this.tail = {
      payload,
      into: into?.byteLength === tailLen ? into : Buffer.allocUnsafe(tailLen),
      filled: 0,
      dropped: false,
    };
  }

  /** Copies from `data` at `off` into the current tail; returns the offset after what it used. */
  private fillTail(data: Buffer, off: number, out: RawFrame[]): number {
    const t = this.tail!;
    const n = Math.min(data.length - off, t.into.byteLength - t.filled);
    if (!t.dropped) t.into.set(data.subarray(off, off + n), t.filled);
    t.filled += n;
    if (t.filled === t.into.byteLength) {
      this.tail = null;
      if (!t.dropped) out.push({ payload: t.payload, tail: t.into });
    }
    return off + n;
  }
}

function wordsOf(head: Head): number {
  return head.tailLen < 0 ? 1 : 2;
}
