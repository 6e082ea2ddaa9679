/**
 * The stabilization round, run by the node's ticker: stabilize (ask the successor for its
 * neighbours, adopt a closer successor, notify it), fix one finger, check the predecessor.
 * Each round is published on the bus as a `stabilize:round` outcome.
 *
 * Invariants:
 * - a round never throws: a failure is recorded in the outcome's `error`;
 * - a round started before the node left a ring changes nothing of the state it has now;
 * - a round is quiet (the ticker may back off) only when it changed nothing and saw the ring
 *   healthy from here, with no dead neighbour.
 */
import { isBusy } from '../wire/errors.js';
import * as core from '../core/chord-state.js';
import { sameNode, type NodeRef } from '../core/node-ref.js';
import { hashId } from '../core/ring-math.js';
import type { ResponseBody } from '../wire/messages.js';
import { closerSuccessor, type Successor } from './closer-successor.js';
import { fixNextFinger } from './finger-fixer.js';
import type { NodeContext } from './node-context.js';
import { fromWire, toJson } from './wire-refs.js';
import { blankOutcome, type Outcome } from './stabilize-outcome.js';

export class Stabilizer {
  constructor(private readonly ctx: NodeContext) {}

  /** Starts the ticker; first rounds are spread over one interval (see `firstDelayMs`). */
  start(): void {
    this.ctx.ticker.start(this.firstDelayMs());
  }

  stop(): void {
    this.ctx.ticker.stop();
  }

  /** One round: stabilize, fix one finger, check the predecessor. True when nothing changed (a quiet round). */
  async round(): Promise<boolean> {
    const ctx = this.ctx;
    if (!ctx.inRing || !ctx.state) return true;
    const st = ctx.state;
    const changesBefore = ctx.changes;
    const out = blankOutcome(st, this.ctx.clock.now(), 'round', false);
    try {
      await this.stabilize(st, out);
      out.fingerFixed = await fixNextFinger(ctx, st, out.changes);
      out.predecessorCheck = await this.checkPredecessor(st, out);
    } catch (e) {
      out.error = (e as Error).message;
    }
    if (ctx.bus.wants('stabilize:round')) ctx.bus.emit('stabilize:round', out);
    return (
      ctx.changes === changesBefore &&
      out.healthy &&
      !out.error &&
      out.skippedDead.length === 0 &&
      out.predecessorCheck !== 'dead'
    );
  }

  /** Finds the first successor that answers (dropping the dead ones) and stabilizes with it. */
  private async stabilize(st: core.ChordState, out: Outcome): Promise<void> {
    const before = st.successors;
    for (let attempt = 0; attempt <= this.ctx.r + 1; attempt++) {
      const succ = core.successorOf(st);
      out.successor = toJson(succ);
      if (sameNode(succ, st.self)) {
        if (this.adoptPredecessor(st, out)) continue;
        out.healthy = !st.predecessor;
        return;
      }
      let nb: ResponseBody<'neighbours'>;
      try {
        nb = await this.ctx.transport.request(succ.address, 'neighbours', {});
      } catch (e) {
        // A BUSY successor is alive: keep it, and stabilize with it next round.
        if (isBusy(e)) return void this.ctx.log('debug', 'stabilize', `successor ${succ.address} is busy; next round`);
        this.dropDeadSuccessor(st, succ, out, (e as Error).message);
        continue;
      }
      const next = this.adopt(st, succ, nb, await closerSuccessor(this.ctx, st, succ, nb), out);
      if (!next) return;
      // A successor that already names us as its predecessor gains nothing from a notify: in a
      // settled ring this saves one request each way per round.
      out.notifyNeeded = !out.healthy;
      if (out.notifyNeeded) out.notified = (await this.ctx.notify(next)) !== null;
      out.successorListChanged = before !== st.successors && addresses(before) !== addresses(st.successors);
      return;
    }
  }

  /**
   * A node whose successor list ran empty (every successor died, or a partition cut them off)
   * but that still has a predecessor is not alone: Chord's stabilize asks the successor for its
   * predecessor, and when the successor is this node itself that is our own predecessor, which
   * becomes the successor (and is asked for its list next). Without this the node stays its own
   * successor for good while its predecessor points at it, since a notify from the node that is
   * already its predecessor changes nothing.
   */
  private adoptPredecessor(st: core.ChordState, out: Outcome): boolean {
    const pred = st.predecessor;
    if (!pred || sameNode(pred, st.self)) return false;
    const text = `no successor left: the predecessor ${pred.address} is the successor (Chord: successor.predecessor)`;
    this.ctx.apply(core.setSuccessors(st, pred, []), { text, into: out.changes });
    return true;
  }

  /** The successor did not answer: it is forgotten and the round moves on to the next in the list. */
  private dropDeadSuccessor(st: core.ChordState, succ: NodeRef, out: Outcome, why: string): void {
    const ctx = this.ctx;
    out.skippedDead.push(toJson(succ));
    ctx.log('warn', 'stabilize', `successor ${succ.address} did not answer; skipping to the next in the list`);
    const text = `no reply from ${succ.address} to neighbours (${why})`;
    ctx.apply(core.removeNode(st, succ, ctx.clock.now()), { text, into: out.changes });
  }

  /**
   * Adopts the closest live successor found from `succ`'s answer `nb`; returns it, or null when
   * the node left its ring meanwhile (the round then changes nothing).
   */
  private adopt(
    st: core.ChordState,
    succ: NodeRef,
    nb: ResponseBody<'neighbours'>,
    closer: Successor,
    out: Outcome,
  ): NodeRef | null {
    const ctx = this.ctx;
    const x = nb.predecessor ? fromWire(nb.predecessor) : null;
    out.successorPredecessor = x ? toJson(x) : null;
    const next = closer.node;
    out.adoptedSuccessor = !sameNode(next, succ);
    if (!ctx.state || st !== ctx.state) return null;
    ctx.vouch.note(next, closer.neighbours);
    const reported = x ? `its predecessor is ${sameNode(x, st.self) ? 'me' : x.address}` : 'it has no predecessor';
    const text = sameNode(next, succ)
      ? `neighbours reply from ${succ.address}: ${reported}, its successor list`
      : `neighbours reply from ${succ.address}: ${reported}, closer, and answered; its successor list`;
    ctx.apply(core.setSuccessors(st, next, closer.neighbours.successors.map(fromWire)), { text, into: out.changes });
    out.healthy = !out.adoptedSuccessor && sameNode(x, st.self);
    return next;
  }

  private async checkPredecessor(st: core.ChordState, out: Outcome): Promise<'alive' | 'dead' | 'none'> {
    const pred = st.predecessor;
    if (!pred) return 'none';
    // A predecessor that sent a request within this round's interval lives: no ping (in a
    // settled ring that saves a request each way per round). One that went quiet is pinged,
    // so its death is noticed at most one interval later than with a ping every round.
    if (this.ctx.predecessorHeardWithin(pred, this.ctx.ticker.effectiveMs)) return 'alive';
    if (await this.ctx.isAlive(pred)) return 'alive';
    const cause = { text: `no reply from ${pred.address} to ping (check_predecessor)`, into: out.changes };
    if (sameNode(st.predecessor, pred)) this.ctx.apply(core.clearPredecessor(st), cause);
    this.ctx.log('warn', 'stabilize', `predecessor ${pred.address} is dead`);
    return 'dead';
  }

  /** Spreads first rounds over one interval so rings started together do not tick in lockstep. */
  private firstDelayMs(): number {
    const h = Number(hashId(String(this.ctx.state?.self.address), 16));
    return 1 + ((h * this.ctx.ticker.intervalMs) >> 16);
  }
}

function addresses(list: readonly NodeRef[]): string {
  return list.map((n) => n.address).join();
}
