/**
 * Which chunk to ask which source for next. Pure: no IO, no clock; randomness is injected.
 *
 * Invariants:
 * - every chunk is exactly one of: done; wanted (not done, no requester); in flight (not done,
 *   at least one requester).
 * - a source has at most `pipeline` chunks in flight, and never the same chunk twice.
 * - avail[i] counts the live sources whose has(i) was true when they were added.
 * - levels[a] counts the wanted chunks with avail === a (lets a pick stop scanning early).
 * - every chunk below `cursor` is done.
 * - endgame (a chunk with a requester given to another source too) happens only when no chunk
 *   is wanted any more: every chunk not done is already in flight.
 *
 * Rarest first with a random tie-break, but among the `window` lowest-index candidates of the
 * rarest class only: downloads stay nearly sequential, which keeps the whole-file hash
 * streaming along behind the writes and keeps disk writes local.
 */
import { DEFAULT_PIPELINE, PICK_WINDOW } from './transfer-constants.js';

export interface PiecePickerOptions {
  /** Number of chunks. */
  readonly count: number;
  /** Chunks in flight per source (default 4). */
  readonly pipeline?: number;
  /** Uniform random numbers in [0, 1) for tie-breaks (default Math.random). */
  readonly rng?: () => number;
  /** Candidates the random tie-break chooses among (default 16). */
  readonly window?: number;
}

interface Source {
  readonly has: (index: number) => boolean;
  readonly inflight: Set<number>;
  /** Chunks this source failed to deliver: given to it again only when nothing else is left. */
  readonly avoid: Set<number>;
}

export class PiecePicker {
  readonly count: number;
  readonly pipeline: number;
  private readonly rng: () => number;
  private readonly window: number;
  private readonly done: Uint8Array;
  private readonly avail: Uint32Array;
  private readonly levels: number[] = [0];
  private readonly requesters = new Map<number, Set<string>>();
  private readonly sources = new Map<string, Source>();
  private doneCount = 0;
  private cursor = 0;

  constructor(opts: PiecePickerOptions) {
    this.count = opts.count;
    this.pipeline = Math.max(1, opts.pipeline ?? DEFAULT_PIPELINE);
    this.rng = opts.rng ?? Math.random;
    this.window = Math.max(1, opts.window ?? PICK_WINDOW);
    this.done = new Uint8Array(this.count);
    this.avail = new Uint32Array(this.count);
    this.levels[0] = this.count;
  }

  /** True once every chunk is done. */
  get isComplete(): boolean {
    return this.doneCount === this.count;
  }

  /** Chunks not done yet. */
  get remaining(): number {
    return this.count - this.doneCount;
  }

  /** Ids of the live sources. */
  get liveSources(): string[] {
    return [...this.sources.keys()];
  }

  isDone(index: number): boolean {
    return this.done[index] === 1;
  }

  /** Chunks `id` has in flight. */
  inflightOf(id: string): number[] {
    return [...(this.sources.get(id)?.inflight ?? [])];
  }

  /** Adds a live source; `has` is sampled now for the availability counts. */
  addSource(id: string, has: (index: number) => boolean): void {
    if (this.sources.has(id)) return;
    this.sources.set(id, { has, inflight: new Set(), avoid: new Set() });
    for (let i = 0; i < this.count; i++) if (has(i)) this.setAvail(i, this.avail[i]! + 1);
  }

  /** Drops a source; returns the chunks it had in flight (now wanted unless others fetch them). */
  removeSource(id: string): number[] {
    const s = this.sources.get(id);
    if (!s) return [];
    const released = [...s.inflight];
    for (const i of released) this.release(i, id);
    this.sources.delete(id);
    for (let i = 0; i < this.count; i++) if (s.has(i)) this.setAvail(i, this.avail[i]! - 1);
    return released;
  }

  /** Marks a chunk done without a fetch (resumed from disk). */
  markDone(index: number): void {
    this.complete(index);
  }

  /** Chunk `index` is verified: it is done; returns the other sources fetching it (cancel them). */
  complete(index: number, winner?: string): string[] {
    if (this.done[index] === 1) return [];
    const reqs = this.requesters.get(index);
    if (!reqs) this.levels[this.avail[index]!]!--;
    this.requesters.delete(index);
    for (const id of reqs ?? []) this.sources.get(id)?.inflight.delete(index);
    this.done[index] = 1;
    this.doneCount++;
    while (this.cursor < this.count && this.done[this.cursor] === 1) this.cursor++;
    return [...(reqs ?? [])].filter((id) => id !== winner);
  }

  /** `id` no longer fetches `index` (failed or cancelled); `avoid` steers the chunk elsewhere. */
  release(index: number, id: string, avoid = false): void {
    const s = this.sources.get(id);
    const reqs = this.requesters.get(index);
    if (!reqs?.delete(id)) return;
    s?.inflight.delete(index);
    if (avoid) s?.avoid.add(index);
    if (reqs.size > 0 || this.done[index] === 1) return;
    this.requesters.delete(index);
    this.levels[this.avail[index]!]!++;
  }

  /** Chunks found bad after all (failed whole-file check) become wanted again. */
  reopen(indices: Iterable<number>): void {
    for (const i of indices) {
      if (this.done[i] !== 1) continue;
      this.done[i] = 0;
      this.doneCount--;
      this.levels[this.avail[i]!]!++;
      this.cursor = Math.min(this.cursor, i);
    }
  }

  /** A chunk not done that no live source has, if any (the transfer cannot finish). */
  missing(): number | undefined {
    for (let i = this.cursor; i < this.count; i++) if (this.done[i] === 0 && this.avail[i] === 0) return i;
    return undefined;
  }

  /** The next chunk for source `id` to fetch, now counted in flight; undefined when none. */
  pick(id: string): number | undefined {
    const s = this.sources.get(id);
    if (!s || s.inflight.size >= this.pipeline || this.isComplete) return undefined;
    const i = this.pickWanted(s) ?? this.pickEndgame(id, s);
    if (i === undefined) return undefined;
    const reqs = this.requesters.get(i);
    if (reqs) reqs.add(id);
    else {
      this.levels[this.avail[i]!]!--;
      this.requesters.set(i, new Set([id]));
    }
    s.inflight.add(i);
    return i;
  }

  /**
   * Also gives `id` chunk `index` when it is wanted, `id` has it and has room: extends a pick
   * into a run of consecutive chunks fetched in one request. Returns whether it did.
   */
  extend(id: string, index: number): boolean {
    const s = this.sources.get(id);
    if (!s || s.inflight.size >= this.pipeline || !(index >= 0 && index < this.count)) return false;
    if (this.done[index] === 1 || this.requesters.has(index) || !s.has(index) || s.avoid.has(index)) return false;
    this.levels[this.avail[index]!]!--;
    this.requesters.set(index, new Set([id]));
    s.inflight.add(index);
    return true;
  }

  private pickWanted(s: Source): number | undefined {
    const floor = this.rarestLevel();
    if (floor === undefined) return undefined;
    let best = Infinity;
    let candidates: number[] = [];
    let fallback: number | undefined;
    for (let i = this.cursor; i < this.count; i++) {
      if (this.done[i] === 1 || this.requesters.has(i) || !s.has(i)) continue;
      if (s.avoid.has(i)) {
        fallback ??= i;
        continue;
      }
      const a = this.avail[i]!;
      if (a < best) [best, candidates] = [a, []];
      if (a === best && candidates.length < this.window) candidates.push(i);
      if (best <= floor && candidates.length >= this.window) break;
    }
    if (candidates.length === 0) return fallback;
    return candidates[Math.floor(this.rng() * candidates.length)];
  }

  /** Every chunk not done is in flight: ask for one `id` is not already fetching, least-requested first. */
  private pickEndgame(id: string, s: Source): number | undefined {
    if (this.wantedCount() > 0) return undefined;
    let best: number[] = [];
    let fewest = Infinity;
    for (const [i, reqs] of this.requesters) {
      if (reqs.has(id) || !s.has(i)) continue;
      if (reqs.size < fewest) [fewest, best] = [reqs.size, []];
      if (reqs.size === fewest) best.push(i);
    }
    if (best.length === 0) return undefined;
    return best[Math.floor(this.rng() * best.length)];
  }

  private wantedCount(): number {
    let n = 0;
    for (let a = 1; a < this.levels.length; a++) n += this.levels[a]!;
    return n;
  }

  /** Lowest availability (at least 1) of any wanted chunk. */
  private rarestLevel(): number | undefined {
    for (let a = 1; a < this.levels.length; a++) if (this.levels[a]! > 0) return a;
    return undefined;
  }

  private setAvail(i: number, a: number): void {
    const wanted = this.done[i] === 0 && !this.requesters.has(i);
    if (wanted) this.levels[this.avail[i]!]!--;
    this.avail[i] = a;
    while (this.levels.length <= a) this.levels.push(0);
    if (wanted) this.levels[a]!++;
  }
}
