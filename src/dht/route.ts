/**
 * Iterative lookup: the asking node walks the ring one find_step RPC at a time, so it sees
 * (and reports) every hop. A node that does not answer is excluded and the previous hop is
 * asked again for an alternative. A lookup that verifies its answer needs to know the owner
 * lives and that no node joined between the key and it: the last hop vouches for its
 * successor when it heard from it within OWNER_VOUCH_MAX_AGE_MS (successor-vouch.ts), and
 * otherwise the owner is asked itself; when it is dead, the last hop is asked again without
 * it. A walk that names the asking node itself checks its own predecessor the same way. A
 * lookup never names a node that did not answer lately, and a verified one does not pass over a
 * node that was only slow: one that timed out but would own the key is asked once more.
 * A node that answers BUSY is alive: the walk goes around it this time but does not report it
 * as failed, and a BUSY owner is confirmed as it is.
 *
 * Every step is bounded by the transport's request timeout, and the whole walk by the hop
 * and failure limits and by the caller's AbortSignal: aborting rejects with ABORTED.
 */
import type { NodeRef } from '../core/node-ref.js';
import { sameNode } from '../core/node-ref.js';
import { distance, inHalfOpen, inOpen } from '../core/ring-math.js';
import { OWNER_VOUCH_MAX_AGE_MS } from '../core/constants.js';
import { routeStep, type ChordState, type RouteStep } from '../core/chord-state.js';
import { abortReason, IncompatiblePeerError, isBusy, P2pError, raceAbort, RpcTimeoutError } from '../wire/errors.js';
import type { Transport } from '../transport/transport.js';
import type { RequestBody, ResponseBody, WireRef } from '../wire/messages.js';
import type { Vouch } from './successor-vouch.js';
import { fromWire, toWire } from './wire-refs.js';

/** The most dead nodes a single lookup routes around before giving up. */
const MAX_FAILURES = 24;
/** Nodes that joined just before an owner a confirmation steps back over, at most. */
const MAX_JOINER_STEPS = 4;
/** Excluded nodes sent along with a step (the most recent ones). */
const MAX_EXCLUDE_SENT = 32;
/**
 * How long a verified lookup waits for a node that timed out during its walk and would own the
 * key if alive (see recheckSlow): well above the adaptive timeout's floor, since a process
 * under load answers late but answers.
 */
const SLOW_RECHECK_MS = 3_000;

export interface RouteResult {
  readonly owner: NodeRef;
  /** Nodes that answered a routing step, in order (the local node first). */
  readonly path: NodeRef[];
  /** Successful remote routing steps. */
  readonly hops: number;
  /** Every RPC sent, including ones that failed. */
  readonly rpcs: number;
  /** Nodes that did not answer. */
  readonly failed: NodeRef[];
}

/** What a walk may be told beyond its key. */
export interface RouteOptions {
  /** Addresses to route around from the start (nodes the caller found dead). */
  readonly exclude?: Iterable<string>;
  /** Ping the owner before answering, and route past it when it is dead (default false). */
  readonly verify?: boolean;
  /** This node's own vouch for `owner`, its successor (when the walk ends at this node). */
  readonly localVouch?: (owner: NodeRef) => Vouch | null;
}

/** One walk in progress. */
interface Walk {
  readonly state: ChordState;
  readonly transport: Transport;
  readonly key: bigint;
  readonly keyHex: string;
  readonly exclude: Set<string>;
  readonly path: NodeRef[];
  readonly failed: NodeRef[];
  /** Addresses of failed nodes that timed out (rather than refused or closed the connection): maybe only slow. */
  readonly slow: Set<string>;
  /** Steps answered BUSY (routed around, not counted as failed nodes). */
  busy: number;
  readonly signal: AbortSignal | undefined;
  readonly localVouch: ((owner: NodeRef) => Vouch | null) | undefined;
  /** The vouch that came with the step that named the owner, if any. */
  vouch: Vouch | null;
}

export async function route(
  state: ChordState,
  transport: Transport,
  key: bigint,
  first: NodeRef | null,
  maxHops: number,
  signal?: AbortSignal,
  opts: RouteOptions = {},
): Promise<RouteResult> {
  const w: Walk = {
    state,
    transport,
    key,
    keyHex: key.toString(16),
    exclude: new Set(opts.exclude),
    path: [state.self],
    failed: [],
    slow: new Set(),
    busy: 0,
    signal,
    localVouch: opts.localVouch,
    vouch: null,
  };
  if (signal?.aborted) throw abortReason(signal, `lookup of ${w.keyHex}`);
  let rpcs = 0;
  let step: RouteStep = first ? { done: false, node: first } : localStep(w);
  for (;;) {
    [step, rpcs] = await walk(w, step, rpcs, maxHops);
    const self = sameNode(step.node, state.self);
    if (!opts.verify || (!self && w.path.some((n) => sameNode(n, step.node)))) break;
    const counted = { rpcs };
    // Named itself: its own predecessor is the freshest word on a joiner between the key and it.
    const vouched = self ? state.predecessor : vouchedPredecessor(w.vouch);
    try {
      const owner = await confirmOwner(w, step.node, counted, vouched);
      step = { done: true, node: await recheckSlow(w, owner, counted) };
      rpcs = counted.rpcs;
      break;
    } catch (e) {
      rpcs = counted.rpcs;
      step = afterFailure(w, step.node, e);
    }
  }
  return { owner: step.node, path: w.path, hops: w.path.length - 1, rpcs, failed: w.failed };
}

/**
 * Confirms the owner a walk was told of: it must answer (asked twice, so one lost message does
 * not make a live owner look dead) unless the last hop vouched for it, and its predecessor
 * must not lie between the key and it — a node that just joined there, which the last hop did
 * not know yet, is the owner then (it is confirmed the same way; when it does not answer, the
 * node that did stands). `vouched` is the predecessor a fresh vouch reported (undefined: none).
 */
async function confirmOwner(
  w: Walk,
  owner: NodeRef,
  counted: { rpcs: number },
  vouched: NodeRef | null | undefined,
): Promise<NodeRef> {
  const neighbours = (n: NodeRef) => (counted.rpcs++, ask(w, n, 'neighbours', {}));
  let nb: { predecessor: WireRef | null };
  try {
    nb =
      vouched !== undefined
        ? { predecessor: vouched && toWire(vouched) }
        : await neighbours(owner).catch((e: unknown) => {
            if (w.signal?.aborted || e instanceof IncompatiblePeerError || isBusy(e)) throw e;
            return neighbours(owner);
          });
  } catch (e) {
    if (isBusy(e)) return owner; // it answered: alive, only loaded
    throw e;
  }
  let confirmed = owner;
  for (let i = 0; i < MAX_JOINER_STEPS; i++) {
    const p = nb.predecessor ? fromWire(nb.predecessor) : null;
    if (!p || sameNode(p, confirmed) || inHalfOpen(w.key, p.id, confirmed.id)) return confirmed;
    if (sameNode(p, w.state.self)) return p;
    try {
      nb = await neighbours(p);
    } catch (e) {
      if (w.signal?.aborted) throw e;
      return isBusy(e) ? p : confirmed; // a BUSY joiner answered: it is alive, so it owns the key
    }
    confirmed = p;
  }
  return confirmed;
}

/**
 * A node that timed out during the walk and lies between the key and the confirmed owner
 * would own the key if it lives: routing around it named the wrong node when it was only slow
 * (a loaded process, a GC pause). The closest such node is asked for its neighbours once
 * more, with SLOW_RECHECK_MS; when it answers it is the owner (unless a joiner sits between
 * the key and it, as confirmOwner checks) and it is no longer reported as failed. Costs
 * nothing unless a step timed out.
 */
async function recheckSlow(w: Walk, owner: NodeRef, counted: { rpcs: number }): Promise<NodeRef> {
  const span = (n: NodeRef) => distance(w.key, n.id, w.state.bits);
  const closest = w.failed
    .filter((n) => w.slow.has(n.address) && (n.id === w.key || inOpen(n.id, w.key, owner.id)))
    .reduce<NodeRef | null>((best, n) => (best && span(best) <= span(n) ? best : n), null);
  if (!closest) return owner;
  counted.rpcs++;
  let nb: ResponseBody<'neighbours'> | null = null;
  try {
    const opts = { timeoutMs: SLOW_RECHECK_MS, signal: w.signal };
    nb = await w.transport.request(closest.address, 'neighbours', {}, opts);
  } catch (e) {
    if (w.signal?.aborted) throw abortReason(w.signal, `lookup of ${w.keyHex}`);
    if (!isBusy(e)) return owner;
  }
  w.slow.delete(closest.address);
  w.failed.splice(w.failed.indexOf(closest), 1);
  if (!nb) return closest; // BUSY: alive, only loaded
  const pred = nb.predecessor ? fromWire(nb.predecessor) : null;
  return confirmOwner(w, closest, counted, pred);
}

/** Walks until a node names the owner; returns that answer and the RPCs counted so far. */
async function walk(w: Walk, from: RouteStep, rpcs: number, maxHops: number): Promise<[RouteStep, number]> {
  const { state, signal } = w;
  let step = from;
  while (!step.done) {
    if (signal?.aborted) throw abortReason(signal, `lookup of ${w.keyHex}`);
    if (w.path.length > maxHops) throw new P2pError('LOOKUP_FAILED', `lookup of ${w.keyHex} exceeded ${maxHops} hops`);
    if (sameNode(step.node, state.self)) {
      step = localStep(w);
      continue;
    }
    rpcs++;
    const next = step.node;
    try {
      const r = await askStep(w, next);
      w.path.push(next);
      step = { done: r.done, node: fromWire(r.node) };
      w.vouch = r.vouch ?? null;
      if (w.vouch?.asked) rpcs++;
    } catch (e) {
      step = afterFailure(w, next, e);
    }
  }
  return [step, rpcs];
}

/** The walk came back to this node: its own table, without the excluded nodes, says where next. */
function localStep(w: Walk): RouteStep {
  const step = routeStep(w.state, w.key, w.exclude);
  if (!step.done && sameNode(step.node, w.state.self)) throw new P2pError('LOOKUP_FAILED', `no route to ${w.keyHex}`);
  w.vouch = step.done ? (w.localVouch?.(step.node) ?? null) : null;
  return step;
}

/**
 * `next` did not answer: it is excluded, and the previous hop (or this node) is asked again.
 * A BUSY `next` is alive: this walk goes elsewhere, but it is not reported as failed (so it is
 * not forgotten or remembered as lost).
 */
function afterFailure(w: Walk, next: NodeRef, e: unknown): RouteStep {
  if (w.signal?.aborted) throw abortReason(w.signal, `lookup of ${w.keyHex}`);
  if (e instanceof IncompatiblePeerError) throw e;
  if (isBusy(e)) w.busy++;
  else w.failed.push(next);
  if (e instanceof RpcTimeoutError) w.slow.add(next.address);
  w.exclude.add(next.address);
  w.vouch = null;
  if (w.failed.length + w.busy > MAX_FAILURES)
    throw new P2pError('LOOKUP_FAILED', `lookup of ${w.keyHex} failed: ${(e as Error).message}`);
  const prev = w.path.at(-1)!;
  if (sameNode(prev, w.state.self)) return routeStep(w.state, w.key, w.exclude);
  w.path.pop();
  return { done: false, node: prev };
}

/** The predecessor a vouch reports when it is fresh enough to take; undefined when there is none to take. */
function vouchedPredecessor(v: Vouch | null): NodeRef | null | undefined {
  if (!v || v.ageMs > OWNER_VOUCH_MAX_AGE_MS) return undefined;
  return v.predecessor ? fromWire(v.predecessor) : null;
}

function askStep(w: Walk, next: NodeRef): Promise<ResponseBody<'find_step'>> {
  return ask(w, next, 'find_step', { key: w.keyHex, exclude: [...w.exclude].slice(-MAX_EXCLUDE_SENT) });
}

function ask<T extends 'find_step' | 'neighbours'>(
  w: Walk,
  to: NodeRef,
  type: T,
  body: RequestBody<T>,
): Promise<ResponseBody<T>> {
  if (!w.signal) return w.transport.request(to.address, type, body);
  const request = w.transport.request(to.address, type, body, { signal: w.signal });
  return raceAbort(request, w.signal, `lookup of ${w.keyHex}`);
}
