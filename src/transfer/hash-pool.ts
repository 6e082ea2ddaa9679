/**
 * A small worker_threads pool computing SHA-256 off the event loop, so verification of one
 * chunk overlaps the IO of the next and uses every core.
 *
 * Invariants:
 * - each worker has at most DEPTH jobs outstanding; the rest wait in one FIFO queue.
 * - a job's bytes are copied (hash), moved and handed back (hashTransfer), or read in place
 *   from shared memory (hashShared, hashSharedParts); the pool never detaches memory it was
 *   not given to move.
 * - workers are ref'd only while they have work, so an idle pool never keeps the process alive.
 * - after close() every new or pending job rejects.
 * - whole-file digests (fileDigest) run on one extra, shared thread, never on the pool's.
 *
 * Measured on this machine kind (256 KiB chunks, 2 workers; test/transfer/hash-pool.test.ts):
 * moving a fresh buffer there and back beat copying it (~1.4 vs ~0.95 GB/s in a quiet run),
 * but every fresh buffer churns V8's external-memory accounting: a download that moved each
 * chunk spent ~20% of its main-thread time in full GCs. Hashing in place from reused
 * SharedArrayBuffer slots (hashShared) costs neither; the download and buildManifest use it.
 * The second vCPU here adds only 0-40% SHA-256 throughput (bench: hashMBpsBy1And2Workers).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { P2pError } from '../wire/errors.js';
import { DigestWorker, type FileDigest } from './file-digest.js';

/** Jobs each worker may hold at once: one hashing, one waiting, so a worker never idles. */
const DEPTH = 2;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
parentPort.on('message', (m) => {
  if (m.parts) {
    const hexes = [];
    for (let i = 0, at = m.off; i < m.parts.length; at += m.parts[i++]) {
      hexes.push(createHash('sha256').update(new Uint8Array(m.buf, at, m.parts[i])).digest('hex'));
    }
    return parentPort.postMessage({ id: m.id, hex: '', hexes });
  }
  const hex = createHash('sha256').update(new Uint8Array(m.buf, m.off, m.len)).digest('hex');
  if (m.back) parentPort.postMessage({ id: m.id, hex, buf: m.buf }, [m.buf]);
  else parentPort.postMessage({ id: m.id, hex });
});
`;

export interface HashResult {
  readonly hex: string;
  /** The hashed bytes (the same memory, moved back from the worker when it could be moved). */
  readonly bytes: Uint8Array;
}

interface Job {
  readonly id: number;
  readonly buf: ArrayBuffer | SharedArrayBuffer;
  readonly off: number;
  readonly len: number;
  readonly back: boolean;
  /** Lengths of consecutive parts hashed one by one (one hex each), instead of the whole. */
  readonly parts?: readonly number[];
  readonly resolve: (r: Reply) => void;
  readonly reject: (e: Error) => void;
}

interface Reply {
  readonly hex: string;
  readonly hexes?: string[];
  readonly buf?: ArrayBuffer;
}

interface Slot {
  worker: Worker;
  readonly jobs: Map<number, Job>;
}

export class HashPool {
  /** Number of worker threads. */
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 0;
  private closed = false;
  private readonly digester = new DigestWorker();

  /**
   * @param size worker threads at most (default: available cores, at least 1). They start when
   * jobs need them: a node that hashes nothing starts none (each costs ~0.1 s of CPU to boot).
   */
  constructor(size = availableParallelism()) {
    this.size = Math.max(1, Math.floor(size));
  }

  /** SHA-256 hex of `bytes`; the caller's memory is copied, never detached. */
  async hash(bytes: Uint8Array): Promise<string> {
    const copy = new Uint8Array(bytes.byteLength); // Buffer#slice would not copy
    copy.set(bytes);
    return (await this.submit(copy.buffer, 0, copy.byteLength, false)).hex;
  }

  /**
   * SHA-256 hex of `bytes`, moving the memory to a worker and back without copying when
   * `bytes` spans a whole ArrayBuffer (else a copy is hashed). `bytes` may be detached
   * afterwards: use the returned `bytes`.
   */
  async hashTransfer(bytes: Uint8Array): Promise<HashResult> {
    const buf = bytes.buffer;
    if (!(buf instanceof ArrayBuffer) || bytes.byteOffset !== 0 || bytes.byteLength !== buf.byteLength) {
      return { hex: await this.hash(bytes), bytes };
    }
    const r = await this.submit(buf, 0, bytes.byteLength, true);
    return { hex: r.hex, bytes: Buffer.from(r.buf!) };
  }

  /** SHA-256 hex of a view on a SharedArrayBuffer, read in place by a worker (no copy). */
  async hashShared(view: Uint8Array): Promise<string> {
    if (!(view.buffer instanceof SharedArrayBuffer)) return this.hash(view);
    return (await this.submit(view.buffer, view.byteOffset, view.byteLength, false)).hex;
  }

  /**
   * SHA-256 hex of each of the consecutive parts of a shared view (`lengths` bytes each, from
   * its start), in one job: one message each way instead of one per part.
   */
  async hashSharedParts(view: Uint8Array, lengths: readonly number[]): Promise<string[]> {
    if (!(view.buffer instanceof SharedArrayBuffer) || lengths.length === 1) {
      const views = lengths.map((len, i) => view.subarray(offsetOf(lengths, i), offsetOf(lengths, i) + len));
      return Promise.all(views.map((v) => this.hashShared(v)));
    }
    return (await this.submit(view.buffer, view.byteOffset, view.byteLength, false, lengths)).hexes!;
  }

  /** A streaming whole-file hash of a file being written (see FileDigest), on one shared extra thread. */
  fileDigest(path: string): FileDigest {
    if (this.closed) throw new P2pError('CLOSED', 'hash pool closed');
    return this.digester.open(path);
  }

  /** Stops the workers; pending jobs reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new P2pError('CLOSED', 'hash pool closed');
    for (const job of this.queue.splice(0)) job.reject(err);
    await Promise.all([...this.slots.map((s) => this.stop(s, err)), this.digester.close()]);
  }

  private submit(
    buf: ArrayBuffer | SharedArrayBuffer,
    off: number,
    len: number,
    back: boolean,
    parts?: readonly number[],
  ): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      if (this.closed) return reject(new P2pError('CLOSED', 'hash pool closed'));
      this.queue.push({ id: this.nextId++, buf, off, len, back, parts, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = this.leastLoaded();
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.jobs.set(job.id, job);
      if (slot.jobs.size === 1) slot.worker.ref();
      const msg = { id: job.id, buf: job.buf, off: job.off, len: job.len, back: job.back, parts: job.parts };
      slot.worker.postMessage(msg, job.buf instanceof ArrayBuffer ? [job.buf] : []);
    }
  }

  private leastLoaded(): Slot | undefined {
    let best: Slot | undefined;
    for (const s of this.slots) if (s.jobs.size < DEPTH && (!best || s.jobs.size < best.jobs.size)) best = s;
    if ((best && best.jobs.size === 0) || this.slots.length >= this.size) return best;
    const fresh = this.spawn();
    this.slots.push(fresh);
    return fresh;
  }

  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(WORKER_SOURCE, { eval: true }), jobs: new Map() };
    slot.worker.unref();
    slot.worker.on('message', (m: Reply & { id: number }) => this.onResult(slot, m));
    slot.worker.on('error', (e) => this.onCrash(slot, e));
    return slot;
  }

  private onResult(slot: Slot, m: Reply & { id: number }): void {
    const job = slot.jobs.get(m.id);
    if (!job) return;
    slot.jobs.delete(m.id);
    if (slot.jobs.size === 0) slot.worker.unref();
    job.resolve(m);
    this.dispatch();
  }

  /** A crashed worker fails its own jobs and is replaced; the pool lives on. */
  private onCrash(slot: Slot, e: Error): void {
    for (const job of slot.jobs.values()) job.reject(e);
    slot.jobs.clear();
    if (this.closed) return;
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots[i] = this.spawn();
    this.dispatch();
  }

  private async stop(slot: Slot, err: Error): Promise<void> {
    for (const job of slot.jobs.values()) job.reject(err);
    slot.jobs.clear();
    await slot.worker.terminate();
  }
}

/** Where part `i` starts, for parts of `lengths` bytes laid end to end. */
function offsetOf(lengths: readonly number[], i: number): number {
  let at = 0;
  for (let k = 0; k < i; k++) at += lengths[k]!;
  return at;
}
