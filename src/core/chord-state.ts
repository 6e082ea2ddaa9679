/**
 * The routing state of one Chord (or naive) node and the pure steps that change it.
 * No IO and no clock reads: callers pass `now` and the answers they got from peers. A step
 * takes the state and an input, updates the state, and returns the changes it made (the
 * effects the runtime publishes); nothing outside this folder writes to a ChordState.
 *
 * Invariants:
 * - `successors` is never empty; `successors[0]` is the successor (self when alone) and the
 *   list holds at most `r` distinct nodes other than self, in ring order from self;
 * - `fingers[i]`, when set, is a node believed to be successor(self + 2^i); naive nodes keep
 *   no fingers at all;
 * - a node is adopted as successor only after the runtime has checked it is alive, and a
 *   predecessor is replaced only by a closer node or when the old one is dead (rectify);
 * - a node known to be gone (dead, or announced as leaving) is in no successor slot, no
 *   finger and not the predecessor once the step that learnt of it returns;
 * - every change a step makes is in the list it returns, in the order it was made;
 * - a node found dead is in `lost` (lost-peers.ts) until it is heard from again: adopted as
 *   successor or predecessor, or answering a probe.
 */
import { isLost, noteFound, noteLost, type LostPeer } from './lost-peers.js';
import type { NodeRef } from './node-ref.js';
import { sameNode } from './node-ref.js';
import { distance, fingerStart, inHalfOpen, inOpen } from './ring-math.js';

export type Routing = 'chord' | 'naive';

export interface ChordState {
  readonly self: NodeRef;
  readonly bits: number;
  readonly routing: Routing;
  /** Successor-list length r. */
  readonly r: number;
  predecessor: NodeRef | null;
  successors: NodeRef[];
  fingers: (NodeRef | null)[];
  /** When each finger was last fixed (ms), or -1. */
  fingerFixedAt: number[];
  /** The finger fix_fingers refreshes next. */
  nextFinger: number;
  /** Peers found dead and not heard from since (probed to find a partitioned ring again). */
  lost: LostPeer[];
}

export function createState(self: NodeRef, bits: number, routing: Routing, r: number): ChordState {
  const n = routing === 'chord' ? bits : 0;
  return {
    self,
    bits,
    routing,
    r,
    predecessor: null,
    successors: [self],
    fingers: new Array<NodeRef | null>(n).fill(null),
    fingerFixedAt: new Array<number>(n).fill(-1),
    nextFinger: 0,
    lost: [],
  };
}

export function successorOf(s: ChordState): NodeRef {
  return s.successors[0]!;
}

export function isAlone(s: ChordState): boolean {
  return sameNode(successorOf(s), s.self);
}

/** One routing step: the owner if this node knows it, else the next node to ask. */
export type RouteStep = { done: true; node: NodeRef } | { done: false; node: NodeRef };

export function routeStep(s: ChordState, key: bigint, exclude?: ReadonlySet<string>): RouteStep {
  const self = s.self.id;
  // Nodes believed dead are never named: they are routed around like the caller's exclusions.
  if (s.lost.length) exclude = withLost(s, exclude);
  const live = exclude?.size ? s.successors.filter((n) => !exclude.has(n.address)) : s.successors;
  const succ = live[0] ?? s.self;
  if (sameNode(succ, s.self) || key === self) return { done: true, node: key === self ? s.self : succ };
  if (inHalfOpen(key, self, succ.id)) return { done: true, node: succ };
  if (s.routing === 'naive') return { done: false, node: succ };
  return { done: false, node: closestPreceding(s, key, live, exclude) };
}

function withLost(s: ChordState, exclude: ReadonlySet<string> | undefined): ReadonlySet<string> {
  const out = new Set(exclude);
  for (const p of s.lost) out.add(p.node.address);
  return out;
}

/** The known node closest before `key` (fingers and successor list), or the successor. */
export function closestPreceding(
  s: ChordState,
  key: bigint,
  live: readonly NodeRef[],
  exclude?: ReadonlySet<string>,
): NodeRef {
  const self = s.self.id;
  let best: NodeRef = live[0] ?? s.self;
  // Neighbouring fingers usually hold the same node: look at each run once. (A hot path in
  // large simulations, hence plain loops.)
  let prev: NodeRef | null = null;
  for (let i = s.fingers.length - 1; i >= 0; i--) {
    const n = s.fingers[i]!;
    if (n !== prev && n && !exclude?.has(n.address) && inOpen(n.id, self, key) && inOpen(n.id, best.id, key)) best = n;
    prev = n;
  }
  for (const n of live) if (inOpen(n.id, self, key) && inOpen(n.id, best.id, key)) best = n;
  return best;
}

/** A change to report on the bus. */
export type StateChange =
  | { kind: 'predecessor'; from: NodeRef | null; to: NodeRef | null }
  | { kind: 'successor'; from: NodeRef; to: NodeRef }
  | { kind: 'successors'; list: readonly NodeRef[]; from: readonly NodeRef[] }
  | { kind: 'finger'; index: number; node: NodeRef | null; at: number; from: NodeRef | null };

/**
 * Adopts `succ` and builds the successor list from its own list (`succSuccessors`).
 * The caller has checked `succ` is alive.
 */
export function setSuccessors(s: ChordState, succ: NodeRef, succSuccessors: readonly NodeRef[]): StateChange[] {
  const before = s.successors;
  const list: NodeRef[] = [];
  for (const n of [succ, ...succSuccessors]) {
    if (list.length >= s.r || sameNode(n, s.self)) break;
    if (!list.some((m) => m.address === n.address)) list.push(n);
  }
  if (list.length === 0) list.push(s.self);
  s.successors = list;
  for (const n of list) if (s.lost.length) noteFound(s.lost, n.address);
  return successorChanges(before, list);
}

function successorChanges(before: readonly NodeRef[], after: readonly NodeRef[]): StateChange[] {
  const out: StateChange[] = [];
  if (!sameNode(before[0], after[0])) out.push({ kind: 'successor', from: before[0]!, to: after[0]! });
  if (before.length !== after.length || before.some((n, i) => !sameNode(n, after[i])))
    out.push({ kind: 'successors', list: after, from: before });
  return out;
}

/** Rectify: `candidate` says it may be our predecessor; `oldAlive` is whether the current one answered. */
export function rectify(s: ChordState, candidate: NodeRef, oldAlive: boolean): StateChange[] {
  const pred = s.predecessor;
  if (sameNode(candidate, s.self) || sameNode(candidate, pred)) return [];
  if (pred && oldAlive && !inOpen(candidate.id, pred.id, s.self.id)) return [];
  s.predecessor = candidate;
  noteFound(s.lost, candidate.address);
  const out: StateChange[] = [{ kind: 'predecessor', from: pred, to: candidate }];
  // A lone node learns of its first peer through notify: that peer is its successor too.
  if (isAlone(s)) out.push(...setSuccessors(s, candidate, []));
  return out;
}

/** Whether rectify needs to know if the current predecessor is alive before deciding. */
export function rectifyNeedsLivenessCheck(s: ChordState, candidate: NodeRef): boolean {
  const pred = s.predecessor;
  return !!pred && !sameNode(candidate, pred) && !inOpen(candidate.id, pred.id, s.self.id);
}

export function clearPredecessor(s: ChordState): StateChange[] {
  const from = s.predecessor;
  if (!from) return [];
  s.predecessor = null;
  return [{ kind: 'predecessor', from, to: null }];
}

/** Forgets a node found dead: out of the successor list, the fingers and the predecessor; remembered as lost. */
export function removeNode(s: ChordState, dead: NodeRef, now: number): StateChange[] {
  if (!sameNode(dead, s.self)) noteLost(s.lost, dead, now);
  return forgetNode(s, dead, now);
}

/** A node that did not answer a request: remembered as lost (routed around) and out of the fingers. */
export function nodeUnreachable(s: ChordState, dead: NodeRef, now: number): StateChange[] {
  if (!sameNode(dead, s.self)) noteLost(s.lost, dead, now);
  return forgetFinger(s, dead, now);
}

/** Whether `address` is believed dead. */
export function believedDead(s: ChordState, address: string): boolean {
  return s.lost.length > 0 && isLost(s.lost, address);
}

/** Forgets a node everywhere (a dead one, or one that left). */
function forgetNode(s: ChordState, dead: NodeRef, now: number): StateChange[] {
  const changes: StateChange[] = [];
  if (s.successors.some((n) => n.address === dead.address)) {
    const rest = s.successors.filter((n) => n.address !== dead.address);
    changes.push(...setSuccessors(s, rest[0] ?? s.self, rest.slice(1)));
  }
  changes.push(...forgetFinger(s, dead, now));
  if (s.predecessor?.address === dead.address) changes.push(...clearPredecessor(s));
  return changes;
}

/**
 * A neighbour announces it is leaving. When it is our predecessor, its own predecessor
 * (`pred`) takes its place; when it is in our successor list, its successors (`succs`) fill
 * the gap ahead of ours. Either way it is forgotten everywhere.
 */
export function mergeLeaving(
  s: ChordState,
  node: NodeRef,
  pred: NodeRef | null,
  succs: readonly NodeRef[],
  now: number,
): StateChange[] {
  const changes: StateChange[] = [];
  if (sameNode(s.predecessor, node)) {
    changes.push(...clearPredecessor(s));
    if (pred && !sameNode(pred, s.self)) changes.push(...rectify(s, pred, false));
  }
  if (s.successors.some((n) => sameNode(n, node))) {
    const rest = [...succs, ...s.successors].filter((n) => !sameNode(n, node));
    changes.push(...setSuccessors(s, rest[0] ?? s.self, rest.slice(1)));
  }
  changes.push(...forgetNode(s, node, now));
  return changes;
}

/** Whether `candidate` (a successor's predecessor) sits between self and `succ`: a closer successor. */
export function isCloserSuccessor(s: ChordState, candidate: NodeRef | null, succ: NodeRef): boolean {
  return !!candidate && inOpen(candidate.id, s.self.id, succ.id);
}

/** The state a node has once it left its ring: alone again, same identity and settings. */
export function resetState(s: ChordState): ChordState {
  return createState(s.self, s.bits, s.routing, s.r);
}

/**
 * The next finger that needs a lookup. Fingers whose start falls between self and the
 * successor are the successor itself and are set on the way, without a lookup. A lone node
 * is its own successor and (self, self] is the whole ring: every finger is self, none needs
 * a lookup, and once they are set a round re-confirms them without a change (so it is quiet).
 */
export function nextFingerToFix(s: ChordState, now: number, changes: StateChange[]): number | null {
  if (s.routing !== 'chord') return null;
  const succ = successorOf(s);
  for (let tries = 0; tries < s.bits; tries++) {
    const i = s.nextFinger;
    s.nextFinger = (i + 1) % s.bits;
    if (!inHalfOpen(fingerStart(s.self.id, i, s.bits), s.self.id, succ.id)) return i;
    changes.push(...setFinger(s, i, succ, now, false));
  }
  return null;
}

/** Clears every finger pointing at `dead` (a node that did not answer a lookup step). */
export function forgetFinger(s: ChordState, dead: NodeRef, now: number): StateChange[] {
  const changes: StateChange[] = [];
  for (let i = 0; i < s.fingers.length; i++) {
    if (s.fingers[i]?.address === dead.address) {
      changes.push({ kind: 'finger', index: i, node: null, at: now, from: s.fingers[i]! });
      s.fingers[i] = null;
    }
  }
  return changes;
}

/** Starts fix_fingers over from finger 0 (a full refresh walks the table from the start). */
export function restartFingerFix(s: ChordState): void {
  s.nextFinger = 0;
}

/**
 * Records finger i = node, and every later finger whose start also falls in (self, node]
 * (they share that successor), then moves fix_fingers past them.
 */
export function setFinger(s: ChordState, i: number, node: NodeRef, now: number, spread = true): StateChange[] {
  const changes: StateChange[] = [];
  const put = (j: number) => {
    if (!sameNode(s.fingers[j], node))
      changes.push({ kind: 'finger', index: j, node, at: now, from: s.fingers[j] ?? null });
    s.fingers[j] = node;
    s.fingerFixedAt[j] = now;
  };
  put(i);
  if (!spread || sameNode(node, s.self)) return changes;
  let j = i + 1;
  while (j < s.bits && inHalfOpen(fingerStart(s.self.id, j, s.bits), s.self.id, node.id)) put(j++);
  if (j > i + 1) s.nextFinger = j % s.bits;
  return changes;
}

/**
 * Copies another node's fingers as hints (a joiner asks its successor). Hints are not "fixed":
 * their changes carry `at: -1`, the fix time of a finger never fixed.
 */
export function seedFingers(s: ChordState, hints: readonly NodeRef[]): StateChange[] {
  const changes: StateChange[] = [];
  if (s.routing !== 'chord') return changes;
  const self = s.self.id;
  // Hints in clockwise order from self; finger starts grow clockwise too, so one pass suffices.
  const sorted = hints
    .filter((n) => !sameNode(n, s.self))
    .map((n) => ({ n, d: distance(self, n.id, s.bits) }))
    .sort((a, b) => (a.d < b.d ? -1 : a.d > b.d ? 1 : 0));
  if (sorted.length === 0) return changes;
  let k = 0;
  for (let i = 0; i < s.bits; i++) {
    const offset = 1n << BigInt(i);
    while (k < sorted.length && sorted[k]!.d < offset) k++;
    const node = (sorted[k] ?? sorted[0]!).n;
    if (!sameNode(s.fingers[i], node))
      changes.push({ kind: 'finger', index: i, node, at: -1, from: s.fingers[i] ?? null });
    s.fingers[i] = node;
  }
  return changes;
}
