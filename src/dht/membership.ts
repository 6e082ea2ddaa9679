/**
 * Joining and leaving a ring. A joiner finds its successor through any member, adopts it and
 * its successor list (and, for Chord, its fingers as hints), then notifies it; a leaver hands
 * its keys on (the `beforeLeave` hooks) and tells both neighbours, who close the gap at once.
 *
 * Invariants:
 * - join writes no state before it has found a live successor other than itself; once it has
 *   taken that successor's list (and, for Chord, fingers) the node is in the ring, and stays
 *   there even when the join is aborted while notifying or during the storage hand-over;
 * - leave changes nothing until every `beforeLeave` hook succeeded; once the neighbours are
 *   being told, the leave goes through (those requests are bounded by the RPC timeout);
 * - an aborted join or leave rejects with an ABORTED error.
 */
import * as core from '../core/chord-state.js';
import { MAX_LOOKUP_HOPS } from '../core/constants.js';
import { sameNode, type NodeRef } from '../core/node-ref.js';
import { abortReason, IncompatiblePeerError, P2pError, raceAbort } from '../wire/errors.js';
import { closerSuccessor, type Successor } from './closer-successor.js';
import type { NodeContext, RingHook } from './node-context.js';
import { route } from './route.js';
import { fromWire, toJson, toWire } from './wire-refs.js';

/** Joins the ring that `address` belongs to. */
export async function join(ctx: NodeContext, address: string, signal?: AbortSignal): Promise<void> {
  const st = ctx.st;
  checkCanJoin(st, address, signal);
  const bootstrap = await contact(ctx, address, signal);
  const found = await route(st, ctx.transport, st.self.id, bootstrap, MAX_LOOKUP_HOPS, signal);
  if (found.owner.id === st.self.id) throw idTaken(found.owner);
  // The answer may be stale while others join too: step back to the closest live successor.
  const nb = await ctx.request(found.owner.address, 'neighbours', {}, signal);
  const successor = await closerSuccessor(ctx, st, found.owner, nb, signal);
  const succ = successor.node;
  if (succ.id === st.self.id) throw idTaken(succ);
  ctx.apply(core.setSuccessors(st, succ, successor.neighbours.successors.map(fromWire)));
  if (ctx.routing === 'chord') {
    const f = await ctx.request(succ.address, 'fingers', {}, signal);
    core.seedFingers(st, [succ, ...f.fingers.map(fromWire)]);
  }
  ctx.inRing = true;
  await ctx.notify(succ, signal);
  announceJoin(ctx, address, successor, found.hops);
  for (const hook of ctx.afterJoin) await afterJoinHook(ctx, hook, succ, signal);
}

/** Leaves gracefully: hands keys on, tells both neighbours, then stays up outside any ring. */
export async function leave(ctx: NodeContext, signal?: AbortSignal): Promise<void> {
  const st = ctx.st;
  if (!ctx.inRing) throw new P2pError('NOT_IN_RING', 'not part of a ring');
  if (signal?.aborted) throw abortReason(signal, 'leave');
  const succ = core.successorOf(st);
  const pred = st.predecessor;
  if (!core.isAlone(st)) {
    for (const hook of ctx.beforeLeave) await raceAbort(hook(succ), signal, 'leave (handing keys on)');
    await tellNeighbours(ctx, st, succ, pred);
  }
  ctx.inRing = false;
  ctx.state = core.resetState(st);
  ctx.bus.emit('node:left', { graceful: true });
  ctx.log('info', 'ring', 'left the ring');
}

function checkCanJoin(st: core.ChordState, address: string, signal: AbortSignal | undefined): void {
  if (address === st.self.address) throw new P2pError('BAD_JOIN', 'cannot join through this node itself');
  if (!core.isAlone(st) || st.predecessor) throw new P2pError('ALREADY_JOINED', 'already part of a ring: leave first');
  if (signal?.aborted) throw abortReason(signal, 'join');
}

/** Nudges the node that should now point at us and tells the bus and the log. */
function announceJoin(ctx: NodeContext, via: string, successor: Successor, hops: number): void {
  const succ = successor.node;
  // Nudge the node that should now point at us, so the ring is whole before its next round.
  const nudge = successor.neighbours.predecessor?.address ?? succ.address;
  void ctx.transport
    .request(nudge, 'stabilize_now', {})
    .catch((e: Error) =>
      ctx.log('debug', 'ring', `asking ${nudge} to stabilize failed (its next round will do): ${e.message}`),
    );
  ctx.bus.emit('node:joined', { via, successor: toJson(succ) });
  ctx.log('info', 'ring', `joined via ${via}: successor ${succ.address} after ${hops} hops`);
}

/** The id of the node at `address`, or why it cannot be joined through. */
async function contact(ctx: NodeContext, address: string, signal?: AbortSignal): Promise<NodeRef> {
  try {
    const pong = await ctx.request(address, 'ping', {}, signal);
    return { id: BigInt('0x' + pong.id), address };
  } catch (e) {
    if (signal?.aborted) throw abortReason(signal, `join through ${address}`);
    if (e instanceof IncompatiblePeerError)
      throw new P2pError('INCOMPATIBLE', `cannot join through ${address}: ${e.message}`);
    throw new P2pError('UNREACHABLE', `cannot join through ${address}: ${(e as Error).message}`);
  }
}

/** Runs one after-join hook; a failing hook is logged (the node is in the ring either way). */
function afterJoinHook(
  ctx: NodeContext,
  hook: RingHook,
  succ: NodeRef,
  signal: AbortSignal | undefined,
): Promise<void> {
  return raceAbort(hook(succ), signal, 'join (taking keys over)').catch((e: Error) => {
    if (signal?.aborted) throw e;
    ctx.log('warn', 'ring', `after-join: ${e.message}`);
  });
}

/** Tells the successor (our predecessor takes our place) and the predecessor (our successors fill the gap). */
async function tellNeighbours(
  ctx: NodeContext,
  st: core.ChordState,
  succ: NodeRef,
  pred: NodeRef | null,
): Promise<void> {
  const self = toWire(st.self);
  // A neighbour that does not hear it finds out by stabilizing: the leave goes on either way.
  const told = (to: NodeRef) => (e: Error) =>
    ctx.log('debug', 'ring', `telling ${to.address} that this node leaves failed: ${e.message}`);
  await ctx.transport
    .request(succ.address, 'leaving', { node: self, predecessor: pred ? toWire(pred) : null, successors: [] })
    .catch(told(succ));
  if (pred && !sameNode(pred, st.self)) {
    await ctx.transport
      .request(pred.address, 'leaving', { node: self, predecessor: null, successors: st.successors.map(toWire) })
      .catch(told(pred));
  }
}

function idTaken(owner: NodeRef): P2pError {
  return new P2pError(
    'ID_TAKEN',
    `id ${owner.id.toString(16)} is already taken by ${owner.address}; choose another port or host`,
  );
}
