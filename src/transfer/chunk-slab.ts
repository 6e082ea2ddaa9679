/**
 * Reusable chunk buffers in shared memory. A download holds one slot per fetch in flight,
 * from the fetch until the chunk is on disk; the hash workers read the slot in place.
 *
 * Why: allocating a fresh buffer per chunk and moving it between threads made V8 run a full
 * GC every ~12 MB of external memory churn; reused SharedArrayBuffers cost nothing after the
 * first use, and a source that can read straight into a slot costs no copy either. Free slots
 * are shared by every slab of the process: a SharedArrayBuffer once posted to a worker lives
 * until that worker happens to collect garbage, so fresh slots per download kept ~1.3 MB of
 * RSS each; recycled ones do not.
 *
 * Invariants:
 * - a slot is handed to at most one holder at a time; release() takes it back.
 * - a slab never holds more than `maxSlots` slots at once; acquire() beyond that is a caller
 *   bug (the session bounds its fetches) and throws.
 * - at most MAX_FREE_BYTES of free slots are kept for reuse; the rest are left to the GC.
 */

/** Free slots kept for reuse, all chunk sizes together: 64 MiB. */
const MAX_FREE_BYTES = 64 * 1024 * 1024;
const free = new Map<number, SharedArrayBuffer[]>();
let freeBytes = 0;

export class ChunkSlab {
  private held = 0;

  /** @param chunkSize bytes per slot; @param maxSlots most slots held at once. */
  constructor(
    readonly chunkSize: number,
    readonly maxSlots: number,
  ) {}

  /** Slots handed out and not yet released. */
  get inUse(): number {
    return this.held;
  }

  /** A view of `length` bytes (at most chunkSize) on a free slot. */
  acquire(length: number): Uint8Array {
    if (length > this.chunkSize) throw new RangeError(`${length} bytes do not fit a ${this.chunkSize}-byte slot`);
    if (this.held >= this.maxSlots) throw new Error(`all ${this.maxSlots} chunk slots are in use`);
    let sab = free.get(this.chunkSize)?.pop();
    if (sab) freeBytes -= this.chunkSize;
    else sab = new SharedArrayBuffer(this.chunkSize);
    this.held++;
    return new Uint8Array(sab, 0, length);
  }

  /** Returns the slot behind `view` (from acquire). */
  release(view: Uint8Array): void {
    this.held--;
    if (freeBytes + this.chunkSize > MAX_FREE_BYTES) return;
    const list = free.get(this.chunkSize) ?? [];
    list.push(view.buffer as SharedArrayBuffer);
    free.set(this.chunkSize, list);
    freeBytes += this.chunkSize;
  }
}
