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
 * - credit decays by half every `halfLifeMs`, so what counts is recent reciprocity.
 */

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
}

export interface ChokeState {
  readonly peer: string;
  readonly choked: boolean;
  /** Why: "uploads to us", "optimistic slot", or (choked) "gives nothing back" / "others gave more". */
  readonly why: string;
  /** Bytes the peer sent us, decayed. */
  readonly credit: number;
  readonly waiting: number;
}

/** A peer with no credit, not seen this long, is forgotten (ms). */
const FORGET_AFTER_MS = 10 * 60_000;

interface Ledger {
  credit: number;
  at: number;
  waiting: number;
  lastSeen: number;
  /** Optimistic-slot uploads left. */
  starter: number;
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
    };
  }

  /** `peer` sent us `bytes` (a chunk we downloaded from it). */
  received(peer: string, bytes: number): void {
    const l = this.ledger(peer);
    l.credit += bytes;
  }

  /** Waits for an upload place for `peer`; call the returned function when the upload is done. */
  async acquire(peer: string): Promise<() => void> {
    const l = this.ledger(peer);
    if (this.running < this.o.concurrency && this.queue.length === 0) {
      this.running++;
      return this.releaser();
    }
    l.waiting++;
    // next() counts the place as taken before waking us.
    const optimistic = await new Promise<boolean>((go) => this.queue.push({ peer, go }));
    l.waiting--;
    return this.releaser(optimistic);
  }

  /** Who is choked and why (for the Transfers pane). */
  states(): ChokeState[] {
    const unchoked = this.unchoked();
    return [...this.ledgers].map(([peer, l]) => {
      const reason = unchoked.get(peer) ?? (l.starter > 0 ? 'optimistic slot' : undefined);
      return {
        peer,
        choked: !reason,
        why: reason ?? (l.credit > 0 ? 'others gave more' : 'gives nothing back'),
        credit: Math.round(l.credit),
        waiting: l.waiting,
      };
    });
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
      l = { credit: 0, at: this.o.now(), waiting: 0, lastSeen: this.o.now(), starter: this.o.starterUploads };
      this.ledgers.set(peer, l);
    }
    l.lastSeen = this.o.now();
    return l;
  }
}
