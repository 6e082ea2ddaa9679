/**
 * Reusable Buffers for chunks read from disk and written to sockets. A fresh 256 KiB buffer per
 * chunk is external memory V8 must account for; at hundreds of MB/s that churn triggers a
 * major GC every few dozen chunks. Buffers handed back with release() are reused instead.
 *
 * Invariants:
 * - a buffer is handed out to one holder at a time; release it only once nothing reads it.
 * - at most `maxFreeBytes` of free buffers are kept; an unreleased buffer is left to the GC.
 */
export class BufferPool {
  private readonly free = new Map<number, Buffer[]>();
  private freeBytes = 0;

  constructor(private readonly maxFreeBytes: number) {}

  /** A buffer of exactly `size` bytes (contents undefined). */
  acquire(size: number): Buffer {
    const buf = this.free.get(size)?.pop();
    if (!buf) return Buffer.allocUnsafeSlow(size);
    this.freeBytes -= size;
    return buf;
  }

  /** Takes `buf` (from acquire) back for reuse. */
  release(buf: Buffer): void {
    if (this.freeBytes + buf.length > this.maxFreeBytes) return;
    const list = this.free.get(buf.length) ?? [];
    list.push(buf);
    this.free.set(buf.length, list);
    this.freeBytes += buf.length;
  }
}
