/**
 * Runs downloads with a cap on how many run at once (the rest wait in a FIFO queue), and
 * holds what transfers share: the global download and upload limiters and the hash pool.
 *
 * Invariants:
 * - at most `maxConcurrent` sessions run; a queued transfer starts when one finishes.
 * - a transfer aborted while queued never starts and rejects with the signal's reason.
 * - every event carries the transfer's id; progress is forwarded as the session emits it.
 */
import { EventEmitter } from 'node:events';
import type { Clock } from '../core/clock.js';
import { realClock } from '../io/real-clock.js';
import {
  DownloadSession,
  type DownloadProgress,
  type DownloadResult,
  type DownloadSessionOptions,
  type SourceDropped,
} from './download-session.js';
import { HashPool } from './hash-pool.js';
import { RateLimiter } from './rate-limiter.js';
import { DEFAULT_MAX_TRANSFERS } from './transfer-constants.js';
import { abortError } from './transfer-error.js';

export interface TransferManagerOptions {
  /** Downloads running at once (default 3). */
  readonly maxConcurrent?: number;
  /** Global download limit in bytes/s, 0 = unlimited (default 0). */
  readonly downloadRateBps?: number;
  /** Global upload limit in bytes/s, for the serving side, 0 = unlimited (default 0). */
  readonly uploadRateBps?: number;
  /** Shared hash pool (default: one owned by the manager, closed by close()). */
  readonly hashPool?: HashPool;
  readonly clock?: Clock;
}

/** A download as the manager takes it: the session options minus what the manager provides. */
export type ManagedDownload = Omit<DownloadSessionOptions, 'hashPool' | 'globalLimiter' | 'clock' | 'limiter'> & {
  /** Caller's id for events (default: "t1", "t2", ...). */
  readonly id?: string;
  /** This transfer's download limit in bytes/s (default 0 = unlimited). */
  readonly rateBps?: number;
};

export interface TransferManagerEvents {
  queued: [{ id: string; name: string }];
  started: [{ id: string; name: string }];
  progress: [{ id: string; progress: DownloadProgress }];
  'source-dropped': [{ id: string; source: SourceDropped }];
  finished: [{ id: string; result: DownloadResult }];
  failed: [{ id: string; error: unknown }];
}

interface Waiting {
  readonly start: () => void;
}

export class TransferManager extends EventEmitter<TransferManagerEvents> {
  readonly globalLimiter: RateLimiter;
  readonly uploadLimiter: RateLimiter;
  readonly hashPool: HashPool;
  private readonly ownsPool: boolean;
  private readonly clock: Clock;
  private readonly queue: Waiting[] = [];
  private running = 0;
  private nextId = 1;
  private maxConcurrent: number;

  constructor(opts: TransferManagerOptions = {}) {
    super();
    this.clock = opts.clock ?? realClock;
    this.maxConcurrent = Math.max(1, opts.maxConcurrent ?? DEFAULT_MAX_TRANSFERS);
    this.globalLimiter = new RateLimiter({ rateBps: opts.downloadRateBps ?? 0, clock: this.clock });
    this.uploadLimiter = new RateLimiter({ rateBps: opts.uploadRateBps ?? 0, clock: this.clock });
    this.ownsPool = !opts.hashPool;
    this.hashPool = opts.hashPool ?? new HashPool();
  }

  /** Downloads running now. */
  get active(): number {
    return this.running;
  }

  /** Downloads waiting for a free slot. */
  get queued(): number {
    return this.queue.length;
  }

  /** Changes the cap; queued downloads start if it grew. */
  setMaxConcurrent(n: number): void {
    this.maxConcurrent = Math.max(1, n);
    this.startQueued();
  }

  /** Runs a download once a slot is free; resolves with the verified file. */
  async download(d: ManagedDownload, signal?: AbortSignal): Promise<DownloadResult> {
    const id = d.id ?? `t${this.nextId++}`;
    await this.slot(id, d.manifest.name, signal);
    try {
      this.emit('started', { id, name: d.manifest.name });
      const result = await this.session(id, d).run(signal);
      this.emit('finished', { id, result });
      return result;
    } catch (error) {
      this.emit('failed', { id, error });
      throw error;
    } finally {
      this.running--;
      this.startQueued();
    }
  }

  /** Closes the hash pool if the manager owns it. */
  async close(): Promise<void> {
    if (this.ownsPool) await this.hashPool.close();
  }

  private session(id: string, d: ManagedDownload): DownloadSession {
    const limiter = new RateLimiter({ rateBps: d.rateBps ?? 0, clock: this.clock });
    const s = new DownloadSession({
      ...d,
      hashPool: this.hashPool,
      globalLimiter: this.globalLimiter,
      limiter,
      clock: this.clock,
    });
    s.on('progress', (progress) => this.emit('progress', { id, progress }));
    s.on('source-dropped', (source) => this.emit('source-dropped', { id, source }));
    return s;
  }

  /** Resolves when this transfer may run (counted in `running`). */
  private slot(id: string, name: string, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (this.running < this.maxConcurrent && this.queue.length === 0) {
      this.running++;
      return Promise.resolve();
    }
    this.emit('queued', { id, name });
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.queue.indexOf(waiting);
        if (i >= 0) this.queue.splice(i, 1);
        reject(abortError(signal!));
      };
      const waiting: Waiting = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          this.running++;
          resolve();
        },
      };
      this.queue.push(waiting);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private startQueued(): void {
    while (this.running < this.maxConcurrent && this.queue.length > 0) this.queue.shift()!.start();
  }
}
