/**
 * Whole-file SHA-256 of files being written, computed on one long-lived worker thread while
 * downloads go on: each writer tells it how far its file is complete from the start
 * (`advance`), and the worker reads that prefix back (from the page cache) and hashes it. By
 * the time the last chunk lands, most of the file is already hashed. A chunk that extends the
 * prefix while it is still in shared memory is handed over as it is (`feed`): no read back.
 *
 * One thread serves every stream (ids multiplex them): a thread per download would cost
 * ~9 MB each and spawning and tearing down isolates leaves RSS behind.
 *
 * Invariants:
 * - the worker never reads past the last offset passed to advance(): it only hashes bytes
 *   whose writes have completed.
 * - offsets only grow; digest(size) is called at most once per stream, and it ends the stream.
 * - a stream that hit an error stays failed: its digest rejects instead of hashing a gap.
 * - the thread is ref'd only while some digest is awaited.
 */
import { Worker } from 'node:worker_threads';
import { P2pError } from '../wire/errors.js';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const buf = Buffer.allocUnsafe(1 << 20);
const streams = new Map();
function end(s, sid) {
  streams.delete(sid);
  if (s.fd >= 0) fs.closeSync(s.fd);
}
parentPort.on('message', (m) => {
  let s = streams.get(m.sid);
  if (!s) streams.set(m.sid, (s = { fd: -1, hash: createHash('sha256'), pos: 0, failed: null }));
  if (m.close) return end(s, m.sid);
  try {
    if (s.failed) throw s.failed;
    if (s.fd < 0) s.fd = fs.openSync(m.path, 'r');
    while (s.pos < m.upto) {
      const n = fs.readSync(s.fd, buf, 0, Math.min(buf.length, m.upto - s.pos), s.pos);
      if (n === 0) throw new Error('file shorter than ' + m.upto + ' bytes');
      s.hash.update(buf.subarray(0, n));
      s.pos += n;
    }
    if (m.shared && s.pos === m.upto) {
      s.hash.update(new Uint8Array(m.shared, m.off, m.len));
      s.pos += m.len;
    }
    if (m.final) {
      end(s, m.sid);
      parentPort.postMessage({ sid: m.sid, hex: s.hash.digest('hex') });
    }
  } catch (e) {
    s.failed = e;
    if (m.final) {
      end(s, m.sid);
      parentPort.postMessage({ sid: m.sid, error: String((e && e.message) || e) });
    }
  }
  if (m.shared) parentPort.postMessage({ sid: m.sid, fed: m.fed });
});
`;

interface Waiter {
  readonly resolve: (hex: string) => void;
  readonly reject: (e: Error) => void;
}

interface DigestMessage {
  sid: number;
  path: string;
  upto: number;
  final?: boolean;
  close?: boolean;
  /** Bytes [upto, upto + len) of the file, in shared memory. */
  shared?: SharedArrayBuffer;
  off?: number;
  len?: number;
  /** Id the worker acknowledges once it no longer reads `shared`. */
  fed?: number;
}

/** The shared digest thread (owned by a HashPool). */
export class DigestWorker {
  private worker: Worker | null = null;
  private nextSid = 1;
  private readonly waiting = new Map<number, Waiter>();
  /** Shared bytes the worker has not finished with yet, by feed id. */
  private readonly feeding = new Map<number, () => void>();
  private nextFed = 1;

  /** A new stream over the file at `path`. */
  open(path: string): FileDigest {
    return new FileDigest(this, this.nextSid++, path);
  }

  /** Stops the thread; awaited digests reject. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.failAll(new P2pError('CLOSED', 'digest worker closed'));
    await w?.terminate();
  }

  /** @internal */
  post(msg: DigestMessage): void {
    this.thread().postMessage(msg);
  }

  /** @internal Posts shared bytes; resolves once the worker is done reading them. */
  postShared(msg: DigestMessage): Promise<void> {
    const fed = this.nextFed++;
    return new Promise<void>((resolve) => {
      this.feeding.set(fed, resolve);
      this.thread().ref();
      this.thread().postMessage({ ...msg, fed });
    });
  }

  /** @internal */
  await(sid: number): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      this.waiting.set(sid, { resolve, reject });
      this.thread().ref();
    });
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(WORKER_SOURCE, { eval: true });
    w.unref();
    w.on('message', (m: { sid: number; hex?: string; error?: string }) => this.onResult(m));
    w.on('error', (e) => {
      if (this.worker === w) this.worker = null;
      this.failAll(e);
    });
    this.worker = w;
    return w;
  }

  private onResult(m: { sid: number; hex?: string; error?: string; fed?: number }): void {
    if (m.fed !== undefined) {
      this.feeding.get(m.fed)?.();
      this.feeding.delete(m.fed);
      return this.unrefIfIdle();
    }
    const waiter = this.waiting.get(m.sid);
    this.waiting.delete(m.sid);
    this.unrefIfIdle();
    if (m.hex !== undefined) waiter?.resolve(m.hex);
    else waiter?.reject(new P2pError('IO', `whole-file hash: ${m.error ?? 'failed'}`));
  }

  private unrefIfIdle(): void {
    if (this.waiting.size === 0 && this.feeding.size === 0) this.worker?.unref();
  }

  private failAll(e: Error): void {
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
    // A worker gone is done reading: shared bytes are free again (the stream's digest fails).
    for (const done of this.feeding.values()) done();
    this.feeding.clear();
  }
}

/** One file's streaming whole-file hash. */
export class FileDigest {
  private posted = 0;
  private ended = false;

  /** @internal use DigestWorker.open / HashPool.fileDigest */
  constructor(
    private readonly owner: DigestWorker,
    private readonly sid: number,
    readonly path: string,
  ) {}

  /** The first `upto` bytes of the file are written and may be hashed. */
  advance(upto: number): void {
    if (upto <= this.posted || this.ended) return;
    this.posted = upto;
    this.owner.post({ sid: this.sid, path: this.path, upto });
  }

  /**
   * The file's first `at` bytes are written and `bytes` (shared memory) are the ones at `at`:
   * they are hashed in place, not read back. Resolves once the worker no longer reads them.
   */
  feed(at: number, bytes: Uint8Array): Promise<void> {
    if (this.ended || !(bytes.buffer instanceof SharedArrayBuffer)) return Promise.resolve();
    this.posted = Math.max(this.posted, at + bytes.byteLength);
    return this.owner.postShared({
      sid: this.sid,
      path: this.path,
      upto: at,
      shared: bytes.buffer,
      off: bytes.byteOffset,
      len: bytes.byteLength,
    });
  }

  /** Hashes up to `size` bytes and resolves with the SHA-256 hex of exactly that prefix. */
  digest(size: number): Promise<string> {
    if (this.ended) return Promise.reject(new Error('FileDigest already ended'));
    this.ended = true;
    const result = this.owner.await(this.sid);
    this.owner.post({ sid: this.sid, path: this.path, upto: size, final: true });
    return result;
  }

  /** Abandons the stream (idempotent). */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.posted > 0) this.owner.post({ sid: this.sid, path: this.path, upto: 0, close: true });
  }
}
