/**
 * Fair sharing, after BitTorrent's choking: uploads go first to the peers that upload to us.
 * The `slots` peers that sent us the most bytes lately are unchoked; one optimistic slot lets
 * a newcomer (who has nothing to give yet) start: its first `starterUploads` uploads go ahead
 * of others, one at a time. A choked peer is not refused: its requests wait while unchoked
 * peers' requests are pending, so a freeloader still completes, only slower while others wait.
 *
 * Invariants:
 * - at most `concurrency` uploads run at once; a freed place goes to a waiting newcomer when
 *   none of the optimistic slot's uploads is running, else to a waiting unchoked peer, else to
 *   the longest-waiting choked one;
 * - credit decays by half every `halfLifeMs`, so what counts is recent reciprocity;
 * - `onChange` is called after every change a reader of `states()` could see (bytes either
 *   way, a request waiting or served); never on a timer.
 */
import type { UploadPeer } from '../bus/events.js';

export interface ChokerOptions {
  /** Peers unchoked for what they gave us (default 3). */
  readonly slots?: number;
  /** Uploads at once (default 4). */
  readonly concurrency?: number;
  /** Uploads a newcomer gets through the optimistic slot before it must give back (default 4). */
  readonly starterUploads?: number;
  /** Half-life of credit, in ms (default 20 s). */
  readonly halfLifeMs?: number;
  /** Milliseconds now (default Date.now). */
  readonly now?: () => number;
  /** Called after each change of what `states()` reports (default none). */
  readonly onChange?: () => void;
}

/** Who is choked and why, per peer (the bus's `upload:peers` entry). */
export type ChokeState = UploadPeer;

/** Files remembered per peer for the console. */
const FILES_PER_PEER = 4;

/** A peer with no credit, not seen this long, is forgotten (ms). */
const FORGET_AFTER_MS = 10 * 60_000;

interface Ledger {
  credit: number;
  at: number;
  waiting: number;
  lastSeen: number;
  /** Optimistic-slot uploads left. */
  starter: number;
  /** Bytes it sent us / we sent it, undecayed. */
  received: number;
  sent: number;
  files: string[];
}

interface Waiter {
  readonly peer: string;
  /** Wakes the waiter; true when it goes through the optimistic slot. */
  readonly go: (optimistic: boolean) => void;
}

export class Choker {
  private readonly ledgers = new Map<string, Ledger>();
  private readonly queue: Waiter[] = [];
  private running = 0;
  /** The optimistic slot's upload is running. */
  private optimisticBusy = false;
  private readonly o: Required<ChokerOptions>;

  constructor(opts: ChokerOptions = {}) {
    this.o = {
      slots: opts.slots ?? 3,
      concurrency: opts.concurrency ?? 4,
      starterUploads: opts.starterUploads ?? 4,
      halfLifeMs: opts.halfLifeMs ?? 20_000,
      now: opts.now ?? Date.now,
      onChange: opts.onChange ?? (() => undefined),
    };
  }

  /** `peer` sent us `bytes` (a chunk we downloaded from it). */
  received(peer: string, bytes: number): void {
    const l = this.ledger(peer);
    l.credit += bytes;
    l.received += bytes;
    this.o.onChange();
  }

  /** We sent `peer` `bytes` (a chunk it downloaded from us). */
  sent(peer: string, bytes: number): void {
    this.ledger(peer).sent += bytes;
    this.o.onChange();
  }

  /**
   * Waits for an upload place for `peer` (asking for `file`, if named); call the returned
   * function when the upload is done.
   */
  async acquire(peer: string, file?: string): Promise<() => void> {
    const l = this.ledger(peer);
    if (file !== undefined) remember(l.files, file);
    if (this.running < this.o.concurrency && this.queue.length === 0) {
      this.running++;
      this.o.onChange();
      return this.releaser();
    }
    l.waiting++;
    this.o.onChange();
    // next() counts the place as taken before waking us.
    const optimistic = await new Promise<boolean>((go) => this.queue.push({ peer, go }));
    l.waiting--;
    this.o.onChange();
    return this.releaser(optimistic);
  }

  /**
   * Who is choked and why (for the Transfers pane): unchoked for credit among the `slots`
   * best, else let in through the optimistic slot while its starter uploads last, else choked.
   */
  states(): ChokeState[] {
    const unchoked = this.unchoked();
    return [...this.ledgers].map(([peer, l]) => {
      const state = unchoked.has(peer) ? 'unchoked' : l.starter > 0 ? 'optimistic' : 'choked';
      return {
        peer,
        state,
        choked: state === 'choked',
        why: this.why(state, l),
        credit: Math.round(l.credit),
        sent: l.sent,
        received: l.received,
        waiting: l.waiting,
        files: [...l.files],
      };
    });
  }

  private why(state: ChokeState['state'], l: Ledger): string {
    if (state === 'unchoked') return 'uploads to us';
    if (state === 'optimistic') return `newcomer, ${l.starter} starter upload${l.starter === 1 ? '' : 's'} left`;
    const n = this.o.slots;
    return l.received > 0 ? `slots full: ${n} peer${n === 1 ? '' : 's'} gave more lately` : 'never uploads to us';
  }

  private releaser(optimistic = false): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.running--;
      if (optimistic) this.optimisticBusy = false;
      this.next();
    };
  }

  private next(): void {
    if (this.queue.length === 0 || this.running >= this.o.concurrency) return;
    const unchoked = this.unchoked();
    let i = -1;
    if (!this.optimisticBusy)
      i = this.queue.findIndex((w) => !unchoked.has(w.peer) && (this.ledgers.get(w.peer)?.starter ?? 0) > 0);
    const optimistic = i >= 0;
    if (i < 0) i = this.queue.findIndex((w) => unchoked.has(w.peer));
    if (i < 0) i = 0;
    const [w] = this.queue.splice(i, 1);
    this.running++;
    if (optimistic) {
      this.optimisticBusy = true;
      this.ledger(w!.peer).starter--;
    }
    w!.go(optimistic);
  }

  /** Peers unchoked for their credit: the `slots` that gave most lately. */
  private unchoked(): Map<string, string> {
    const now = this.o.now();
    for (const [peer, l] of this.ledgers) {
      this.decay(l, now);
      // Forget peers long gone: the ledger map stays as small as the set of active peers.
      if (l.waiting === 0 && l.credit < 1 && now - l.lastSeen > FORGET_AFTER_MS) this.ledgers.delete(peer);
    }
    const ranked = [...this.ledgers].filter(([, l]) => l.credit > 0).sort((a, b) => b[1].credit - a[1].credit);
    return new Map<string, string>(ranked.slice(0, this.o.slots).map(([p]) => [p, 'uploads to us']));
  }

  private decay(l: Ledger, now: number): void {
    if (now > l.at) l.credit *= 0.5 ** ((now - l.at) / this.o.halfLifeMs);
    l.at = now;
  }

  private ledger(peer: string): Ledger {
    let l = this.ledgers.get(peer);
    if (!l) {
      const at = this.o.now();
      l = { credit: 0, at, waiting: 0, lastSeen: at, starter: this.o.starterUploads, received: 0, sent: 0, files: [] };
      this.ledgers.set(peer, l);
    }
    l.lastSeen = this.o.now();
    return l;
  }
}

/** Moves `file` to the front of `files`, keeping the latest FILES_PER_PEER. */
function remember(files: string[], file: string): void {
  const i = files.indexOf(file);
  if (i === 0) return;
  if (i > 0) files.splice(i, 1);
  files.unshift(file);
  if (files.length > FILES_PER_PEER) files.length = FILES_PER_PEER;
}
