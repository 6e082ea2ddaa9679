/**
 * Joining and leaving a ring. A joiner finds its successor through any member, adopts it and
 * its successor list (and, for Chord, its fingers as hints), then notifies it; a leaver hands
 * its keys on (the `beforeLeave` hooks) and tells both neighbours, who close the gap at once.
 *
 * Invariants:
 * - join writes no state before it has found a live successor other than itself; once it has
 *   taken that successor's list (and, for Chord, fingers) the node is in the ring, and stays
 *   there even when the join is aborted while notifying or during the storage hand-over;
 * - from the start of a leave the node is `leaving` (its store hands on what it takes meanwhile,
 *   then takes no more) until the leave is done, or until a `beforeLeave` hook fails and the
 *   node stays;
 * - leave changes nothing until every `beforeLeave` hook succeeded; once the neighbours are
 *   being told, the leave goes through (those requests are bounded by the RPC timeout), and
 *   then every connection is closed (peers that did not hear of it see it gone);
 * - a join returns, and announces itself, once a node points at the joiner (its predecessor is
 *   set: lookups from the rest of the ring reach it), or after LINK_WAIT_MS without;
 * - a join whose route ends at a node that does not answer (it died meanwhile) routes again
 *   around it, through any node that answered, up to JOIN_ATTEMPTS times; one whose successor
 *   takes no notify, or keeps a closer predecessor (another joiner into the same gap), runs a
 *   stabilization round before it returns (the next successor, or that joiner, is told);
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

/** Routes a join tries before it gives up (each one around the nodes found dead before). */
const JOIN_ATTEMPTS = 4;
/**
 * How long a join waits for a node to point at the joiner (see untilLinked) before it returns
 * anyway: a few rounds of a loaded ring; the link comes at once in a healthy one.
 */
export const LINK_WAIT_MS = 5_000;

/** Joins the ring that `address` belongs to. */
export async function join(ctx: NodeContext, address: string, signal?: AbortSignal): Promise<void> {
  const st = ctx.st;
  checkCanJoin(st, address, signal);
  const bootstrap = await contact(ctx, address, signal);
  const { successor, hops, namedBy } = await findSuccessor(ctx, st, bootstrap, signal);
  const succ = successor.node;
  if (succ.id === st.self.id) throw idTaken(succ);
  ctx.apply(core.setSuccessors(st, succ, successor.neighbours.successors.map(fromWire)));
  if (ctx.routing === 'chord') ctx.apply(core.seedFingers(st, [succ, ...(await fingerHints(ctx, succ, signal))]));
  ctx.inRing = true;
  // A successor that did not take us runs a stabilization round at once: one that took no
  // notify (it left or died since it answered) is passed over and the next live one notified;
  // one that keeps a closer predecessor (a joiner into the same gap got there first) makes
  // that joiner our successor, and it is notified. Until then no node points at this one, and
  // no lookup could find it.
  const took = await ctx.notify(succ, signal);
  if (took === null || took === 'kept') {
    const why = took ? `keeps a closer predecessor` : 'took no notify';
    ctx.log('debug', 'ring', `join: ${succ.address} ${why}; stabilizing at once`);
    await raceAbort(ctx.ticker.step(), signal, 'join (stabilizing)');
  }
  // A successor that had no predecessor asks no one to point at us: a lone one is asked to
  // point back at us now, and so is the route's last hop (it named our successor as its own).
  if (!successor.neighbours.predecessor) {
    void ctx.askToStabilize(succ);
    if (namedBy && !sameNode(namedBy, succ)) void ctx.askToStabilize(namedBy);
  }
  if (!(await untilLinked(ctx, signal)))
    ctx.log('debug', 'ring', `join: no node points at this one after ${LINK_WAIT_MS} ms; stabilization will link it`);
  announceJoin(ctx, address, successor, hops);
  for (const hook of ctx.afterJoin) await afterJoinHook(ctx, hook, succ, signal);
}

/** Leaves gracefully: hands keys on, tells both neighbours, then stays up outside any ring. */
export async function leave(ctx: NodeContext, signal?: AbortSignal): Promise<void> {
  const st = ctx.st;
  if (!ctx.inRing) throw new P2pError('NOT_IN_RING', 'not part of a ring');
  if (signal?.aborted) throw abortReason(signal, 'leave');
  const succ = core.successorOf(st);
  if (!core.isAlone(st)) {
    ctx.leaving = true;
    try {
      for (const hook of ctx.beforeLeave) await raceAbort(hook(succ), signal, 'leave (handing keys on)');
    } catch (e) {
      ctx.leaving = false; // the leave did not happen: the node stays and takes copies again
      throw e;
    }
    // The neighbours as they are now: a joiner may have notified this node while it handed
    // its keys on, and one told of the old predecessor would drop that joiner again.
    await tellNeighbours(ctx, st, core.successorOf(st), st.predecessor);
    // A node that still pointed at us (it did not hear of the leave) sees the connection close,
    // so it neither vouches for us nor waits out a timeout: its next request gets NOT_IN_RING.
    ctx.transport.dropConnections?.('this node left the ring');
  }
  ctx.leaving = false;
  ctx.inRing = false;
  ctx.state = core.resetState(st);
  ctx.bus.emit('node:left', { graceful: true });
  ctx.log('info', 'ring', 'left the ring');
}

/**
 * The joiner's live successor, found through `bootstrap`. The route's answer may be stale
 * while others join too: it steps back to the closest live successor. A route that ends at a
 * node that does not answer is tried again around it, starting from any node that answered.
 */
async function findSuccessor(
  ctx: NodeContext,
  st: core.ChordState,
  bootstrap: NodeRef,
  signal: AbortSignal | undefined,
): Promise<{ successor: Successor; hops: number; namedBy: NodeRef | null }> {
  const dead = new Set<string>();
  let via = bootstrap;
  for (let attempt = 1; ; attempt++) {
    const found = await route(st, ctx.transport, st.self.id, via, MAX_LOOKUP_HOPS, signal, { exclude: dead });
    const answered = found.path.slice(1);
    for (const n of found.failed) dead.add(n.address);
    if (sameNode(found.owner, st.self) && found.failed.length === 0) throw idTaken(found.owner);
    if (found.owner.id === st.self.id && !sameNode(found.owner, st.self)) throw idTaken(found.owner);
    try {
      if (sameNode(found.owner, st.self)) throw new P2pError('UNREACHABLE', 'every node on the route died');
      const nb = await ctx.request(found.owner.address, 'neighbours', {}, signal);
      const successor = await closerSuccessor(ctx, st, found.owner, nb, signal);
      return { successor, hops: found.hops, namedBy: answered.at(-1) ?? null };
    } catch (e) {
      if (signal?.aborted || e instanceof IncompatiblePeerError || attempt >= JOIN_ATTEMPTS) throw e;
      dead.add(found.owner.address);
      const next = answered.filter((n) => !dead.has(n.address)).at(-1) ?? (dead.has(via.address) ? null : via);
      if (!next) throw e;
      via = next;
      ctx.log('debug', 'ring', `join: ${found.owner.address} did not answer (${(e as Error).message}); routing again`);
    }
  }
}

/** The successor's fingers as hints; none when it does not answer (fix_fingers fills the table). */
async function fingerHints(ctx: NodeContext, succ: NodeRef, signal: AbortSignal | undefined): Promise<NodeRef[]> {
  try {
    return (await ctx.request(succ.address, 'fingers', {}, signal)).fingers.map(fromWire);
  } catch (e) {
    if (signal?.aborted) throw e;
    ctx.log('debug', 'ring', `join: no finger hints from ${succ.address}: ${(e as Error).message}`);
    return [];
  }
}

function checkCanJoin(st: core.ChordState, address: string, signal: AbortSignal | undefined): void {
  if (address === st.self.address) throw new P2pError('BAD_JOIN', 'cannot join through this node itself');
  if (!core.isAlone(st) || st.predecessor) throw new P2pError('ALREADY_JOINED', 'already part of a ring: leave first');
  if (signal?.aborted) throw abortReason(signal, 'join');
}

/**
 * Until a node points at this one as its successor (it notified us, so our predecessor is
 * set), at most LINK_WAIT_MS; false when none did. Only then do lookups from the rest of the
 * ring reach the keys this node now owns, so only then is the join announced. The node that
 * should point at us is asked to stabilize at once by our successor when it takes our notify
 * (see the notify handler), or by us when the successor had no predecessor; the wait is long
 * only when the successor had lost its predecessor, and that node's next round finds us.
 */
async function untilLinked(ctx: NodeContext, signal: AbortSignal | undefined): Promise<boolean> {
  if (ctx.st.predecessor) return true;
  let settle!: (linked: boolean) => void;
  const linked = new Promise<boolean>((r) => (settle = r));
  const off = ctx.bus.on('ring:predecessor-changed', (e) => e.to && settle(true));
  const timer = ctx.clock.setTimeout(() => settle(false), LINK_WAIT_MS);
  try {
    return await raceAbort(linked, signal, 'join (waiting to be linked in)');
  } finally {
    off();
    ctx.clock.clearTimeout(timer);
  }
}

/** Tells the bus and the log: the node is in the ring, linked from both sides (or waited long enough). */
function announceJoin(ctx: NodeContext, via: string, successor: Successor, hops: number): void {
  const succ = successor.node;
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
