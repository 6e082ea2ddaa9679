/** Shared helpers for the transfer tests: temp dirs, random files, in-memory chunk sources. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import type { ChunkSource } from '../../src/transfer/download-session.js';
import { chunkLength, chunkOffset, type Manifest } from '../../src/transfer/manifest.js';

/** A fresh temp dir removed when the test ends. */
export async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'p2pterm-transfer-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `size` random bytes to dir/name; returns the path and the bytes. */
export async function randomFile(dir: string, name: string, size: number): Promise<{ path: string; data: Buffer }> {
  const data = randomBytes(size);
  const path = join(dir, name);
  await writeFile(path, data);
  return { path, data };
}

/** A deterministic RNG for reproducible picks (the generator the simulations use). */
export { seededRandom as seededRng } from '../../src/core/random.js';

export interface MemorySourceOptions {
  /** Chunks this source has (default: all). */
  readonly has?: (index: number) => boolean;
  /** Chunks served with a flipped byte. */
  readonly corrupt?: (index: number) => boolean;
  /** After this many fetches every fetch fails (the peer died). */
  readonly dieAfter?: number;
  /** Milliseconds each fetch takes (real time). */
  readonly delayMs?: number;
  /** Called at the start of every fetch. */
  readonly onFetch?: (index: number) => void;
}

/** A ChunkSource serving a buffer from memory, with knobs for misbehaviour. */
export class MemorySource implements ChunkSource {
  fetches = 0;
  readonly fetched: number[] = [];

  constructor(
    readonly id: string,
    private readonly data: Buffer,
    private readonly manifest: Manifest,
    private readonly opts: MemorySourceOptions = {},
  ) {}

  has(index: number): boolean {
    return this.opts.has ? this.opts.has(index) : true;
  }

  async fetch(index: number, signal: AbortSignal): Promise<Uint8Array> {
    this.fetches++;
    this.fetched.push(index);
    this.opts.onFetch?.(index);
    if (this.opts.delayMs) await sleep(this.opts.delayMs, signal);
    if (this.opts.dieAfter !== undefined && this.fetches > this.opts.dieAfter) throw new Error(`${this.id} is dead`);
    const start = chunkOffset(this.manifest, index);
    const out = Buffer.from(this.data.subarray(start, start + chunkLength(this.manifest, index)));
    if (this.opts.corrupt?.(index)) out[0]! ^= 0xff;
    return out;
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}
