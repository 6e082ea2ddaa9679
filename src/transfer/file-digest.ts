/**
 * The whole-file SHA-256 of a file being written, computed on its own worker thread while the
 * download goes on: the writer tells it how far the file is complete from the start
 * (`advance`), and the worker reads that prefix back (from the page cache) and hashes it. By the
 * time the last chunk lands, most of the file is already hashed.
 *
 * Invariants:
 * - the worker never reads past the last offset passed to advance(): it only hashes bytes
 *   whose writes have completed.
 * - offsets only grow; digest(size) is called once, after which the worker exits.
 */
import { Worker } from 'node:worker_threads';
import { P2pError } from '../wire/errors.js';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const hash = createHash('sha256');
const buf = Buffer.allocUnsafe(1 << 20);
let fd = -1;
let pos = 0;
let failed = null;
parentPort.on('message', (m) => {
  try {
    if (failed) throw failed;
    if (fd < 0) fd = fs.openSync(workerData.path, 'r');
    while (pos < m.upto) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, m.upto - pos), pos);
      if (n === 0) throw new Error('file shorter than ' + m.upto + ' bytes');
      hash.update(buf.subarray(0, n));
      pos += n;
    }
    if (m.final) {
      fs.closeSync(fd);
      parentPort.postMessage({ hex: hash.digest('hex') });
    }
  } catch (e) {
    failed = e;
    if (m.final) parentPort.postMessage({ error: String((e && e.message) || e) });
  }
});
`;

export class FileDigest {
  private readonly worker: Worker;
  private posted = 0;
  private result: Promise<string> | null = null;
  private failure: Error | null = null;

  constructor(path: string) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path } });
    this.worker.unref();
    this.worker.on('error', (e) => (this.failure ??= e));
  }

  /** The first `upto` bytes of the file are written and may be hashed. */
  advance(upto: number): void {
    if (upto <= this.posted || this.result) return;
    this.posted = upto;
    this.worker.postMessage({ upto, final: false });
  }

  /** Hashes up to `size` bytes and resolves with the SHA-256 hex of exactly that prefix. */
  digest(size: number): Promise<string> {
    this.result ??= new Promise<string>((resolve, reject) => {
      this.worker.ref();
      this.worker.on('message', (m: { hex?: string; error?: string }) => {
        if (m.hex !== undefined) resolve(m.hex);
        else reject(new P2pError('IO', `whole-file hash: ${m.error}`));
        void this.worker.terminate();
      });
      this.worker.once('error', reject);
      if (this.failure) reject(this.failure);
      this.worker.postMessage({ upto: size, final: true });
    });
    return this.result;
  }

  /** Stops the worker (idempotent). */
  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
