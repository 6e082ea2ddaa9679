/** The download engine's public types: sources, progress, results and options. */
import type { Clock } from '../core/clock.js';
import type { HashPool } from './hash-pool.js';
import type { Manifest } from './manifest.js';
import type { WholeFileCheck } from './part-file.js';
import type { RateLimiter } from './rate-limiter.js';

/** Somewhere chunks can be fetched from. */
export interface ChunkSource {
  readonly id: string;
  /** Whether this source has chunk `index` (sampled when the download starts). */
  has(index: number): boolean;
  /** The bytes of chunk `index` (the session copies them; honour `signal`). */
  fetch(index: number, signal: AbortSignal): Promise<Uint8Array>;
  /**
   * Optional, faster: writes chunk `index` into `target` (exactly the chunk's length) and
   * resolves once it is filled. Must never touch `target` after the promise settles, even
   * when aborted: the memory is reused for other chunks.
   */
  fetchInto?(index: number, target: Uint8Array, signal: AbortSignal): Promise<void>;
  /**
   * Optional, fewer round trips: writes chunks `first` .. `first + count - 1` back to back into
   * `target` (exactly their length) and resolves with the bytes it delivered from the start of
   * `target` (a source may send fewer chunks). Same rule as fetchInto about `target`.
   */
  fetchSpanInto?(first: number, count: number, target: Uint8Array, signal: AbortSignal): Promise<number>;
}

export type SourceState = 'active' | 'idle' | 'dropped' | 'failed';

export interface SourceProgress {
  readonly id: string;
  /** Verified bytes this source delivered in this run. */
  readonly bytes: number;
  readonly rateBps: number;
  readonly state: SourceState;
}

export interface DownloadProgress {
  /** Verified bytes on disk, including those resumed from a previous run. */
  readonly bytes: number;
  readonly total: number;
  readonly rateBps: number;
  /** Seconds left at the current rate; null while the rate is 0. */
  readonly etaSec: number | null;
  readonly sources: readonly SourceProgress[];
  /** True on the final event, once the file is complete under its final name. */
  readonly done: boolean;
}

export interface SourceDropped {
  readonly id: string;
  readonly state: 'dropped' | 'failed';
  readonly code: string;
  readonly reason: string;
}

export interface DownloadResult {
  /** Absolute path of the complete, verified file. */
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  /** Chunks fetched from sources in this run. */
  readonly fetchedChunks: number;
  /** Chunks already verified on disk from a previous run. */
  readonly resumedChunks: number;
}

export interface DownloadSessionOptions {
  readonly manifest: Manifest;
  /** Download directory; nothing is written outside it. */
  readonly dir: string;
  /** File name to write (default: the manifest's name; must pass safeFileName). */
  readonly outName?: string;
  readonly sources: readonly ChunkSource[];
  readonly hashPool: HashPool;
  /** Fetches in flight per source (default 4). */
  readonly pipeline?: number;
  /** This transfer's download limiter. */
  readonly limiter?: RateLimiter;
  /** The limiter shared by every transfer. */
  readonly globalLimiter?: RateLimiter;
  /** Time source for rates and progress pacing (default: the real clock). */
  readonly clock?: Clock;
  /** Random numbers for the piece picker's tie-breaks (default Math.random). */
  readonly rng?: () => number;
  /** Resume state is made durable after this many new bytes (default 64 MiB). */
  readonly checkpointBytes?: number;
  /**
   * When the whole-file SHA-256 is checked: 'always' (default: the reported sha256 is that of
   * the bytes written, even if the manifest lied), or only for 'resumed' parts (one SHA-256
   * pass instead of two: faster where a second core is not really there).
   */
  readonly wholeFileCheck?: WholeFileCheck;
}

export interface DownloadSessionEvents {
  progress: [DownloadProgress];
  'source-dropped': [SourceDropped];
}
