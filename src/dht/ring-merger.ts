/**
 * Rings that formed apart merge again. The node probes a few of the peers it lost (core
 * lost-peers.ts) now and then; a lost peer that answers again is offered to `considerPeer`:
 * when it is closer than our successor it is adopted (it belongs to another ring: ours would
 * have routed us to it), else the node just before it in our ring is told of it with a
 * `merge_hint`. A node that adopts a node of the other ring passes its old successor on to it
 * the same way, so the two successor chains are zipped together around the whole ring
 * (ring unification, Shafaat, Ghodsi and Haridi 2009; several rings merge pairwise, as in
 * Amft and Graffi's ring reunion, 2025). Stabilization fixes the predecessors behind it, and
 * the ring store's maintenance moves keys to their new holders (key reconciliation): every
 * adoption is published as `ring:merged`, on which the store runs a pass at once.
 *
 * Invariants:
 * - a peer is adopted only after it answered (`neighbours`), and only when it is closer than
 *   the successor (core ring-merge.ts);
 * - a hint travels at most MERGE_TTL route forwards; adoptions do not count (each one makes
 *   a successor pointer strictly closer, so there are finitely many);
 * - the probe job is scheduled only while something is lost: a healthy ring pays nothing.
 */
import { successorOf, type ChordState } from '../core/chord-state.js';
import { dueProbes, nextProbeAt, noteFound } from '../core/lost-peers.js';
import { sameNode, type NodeRef } from '../core/node-ref.js';
import { closerThanSuccessor, mergeSuccessors } from '../core/ring-merge.js';
import type { RequestBody, ResponseBody } from '../wire/messages.js';
import type { NodeContext } from './node-context.js';
import type { TickerJob } from './ticker-job.js';
import { fromWire, toJson, toWire } from './wire-refs.js';

/** How many times a merge hint is routed on before it is dropped. */
export const MERGE_TTL = 16;

export class RingMerger {
  private readonly job: TickerJob;
  private probing = false;

  constructor(private readonly ctx: NodeContext) {
    this.job = ctx.ticker.job(() => void this.probe());
    ctx.handle('merge_hint', (b) => this.onHint(b));
  }

  /** Schedules the next probe when a lost peer is due (called after every stabilization round). */
  schedule(): void {
    const st = this.ctx.state;
    if (!st || !this.ctx.inRing || this.probing) return;
    const at = nextProbeAt(st.lost);
    if (at !== null) this.job.runIn(Math.max(1, at - this.ctx.clock.now()));
  }

  /** Probes the lost peers that are due; one that answers is considered for a merge. */
  async probe(): Promise<void> {
    const ctx = this.ctx;
    const st = ctx.state;
    if (!st || !ctx.inRing || this.probing) return;
    this.probing = true;
    try {
      await Promise.all(dueProbes(st.lost, ctx.clock.now()).map((q) => this.probeOne(st, q)));
    } finally {
      this.probing = false;
      this.schedule();
    }
  }

  private async probeOne(st: ChordState, q: NodeRef): Promise<void> {
    const ctx = this.ctx;
    // No answer: q stays lost and is probed again later (its gap doubles).
    const pong = await ctx.transport.request(q.address, 'ping', {}).catch(() => null);
    if (!pong || st !== ctx.state) return;
    noteFound(st.lost, q.address);
    // Another node may answer at a lost peer's address; it is considered under its own id.
    const node = pong.id === q.id.toString(16) ? q : { id: BigInt('0x' + pong.id), address: q.address };
    await considerPeer(ctx, node, MERGE_TTL).catch((e: Error) =>
      ctx.log('debug', 'ring', `merge with ${q.address} did not go through (a later probe retries): ${e.message}`),
    );
  }

  private async onHint(b: RequestBody<'merge_hint'>): Promise<ResponseBody<'merge_hint'>> {
    const ctx = this.ctx;
    ctx.requireRing();
    const x = fromWire(b.node);
    // Answered at once: the zip goes on from here without holding up the sender.
    void considerPeer(ctx, x, b.ttl).catch((e: Error) =>
      ctx.log('debug', 'ring', `merge hint for ${x.address} dropped (stabilization goes on): ${e.message}`),
    );
    return {};
  }
}

/**
 * `x` answered and may belong to another ring: adopt it when it is closer than our successor,
 * else hint the node just before it in our ring (unless our ring already routes to it).
 */
export async function considerPeer(ctx: NodeContext, x: NodeRef, ttl: number): Promise<void> {
  const st = ctx.requireRing();
  if (sameNode(x, st.self)) return;
  if (closerThanSuccessor(st, x)) return adopt(ctx, st, x, ttl);
  if (ttl <= 0) return;
  const r = await ctx.route(x.id);
  const m = r.path.at(-1)!;
  if (st !== ctx.state || sameNode(r.owner, x)) return;
  if (sameNode(m, st.self)) {
    if (closerThanSuccessor(st, x)) await adopt(ctx, st, x, ttl);
    return;
  }
  await ctx.request(m.address, 'merge_hint', { node: toWire(x), ttl: ttl - 1 });
}

/** Threads `x` in as successor and passes the old successor on to it. */
async function adopt(ctx: NodeContext, st: ChordState, x: NodeRef, ttl: number): Promise<void> {
  const nb = await ctx.request(x.address, 'neighbours', {});
  if (st !== ctx.state || !closerThanSuccessor(st, x)) return;
  const old = successorOf(st);
  ctx.apply(mergeSuccessors(st, [x, ...nb.successors.map(fromWire)]));
  ctx.log('info', 'ring', `merge: ${x.address} is closer than successor ${old.address}; threaded in`);
  if (ctx.bus.wants('ring:merged')) ctx.bus.emit('ring:merged', { node: toJson(x), from: toJson(old) });
  await ctx.notify(x);
  if (sameNode(old, st.self) || sameNode(old, x)) return;
  await ctx.request(x.address, 'merge_hint', { node: toWire(old), ttl });
}
