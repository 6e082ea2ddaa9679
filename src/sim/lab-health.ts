/**
 * The lab's ring-health indicator, computed from the live nodes alone: the true ring is the
 * live nodes sorted by id, and every node's successor, predecessor and fingers are compared
 * with it. Kept separate from ring-check.ts on purpose (nodes are matched by address here, by
 * id there) so the tests can hold one against the other; only the binary search is shared.
 *
 * Cost: successors and predecessors are checked on every node (one snapshot without fingers
 * each, about 2 µs); fingers cost `bits` lookups per node, so above FINGER_BUDGET entries only
 * a random sample of nodes has its fingers checked.
 */
import type { ChordNode } from '../dht/chord-node.js';
import type { LabHealth } from '../bus/lab-events.js';
import { successorIndex } from './ring-check.js';

/** Most finger entries checked per health computation (a few ms of work). */
export const FINGER_BUDGET = 8_000;

export interface HealthOptions {
  /** Finger entries to check at most (default FINGER_BUDGET); 0 skips fingers. */
  readonly fingerBudget?: number;
  readonly random?: () => number;
  /** Lab time to stamp the result with. */
  readonly at?: number;
}

/** Live nodes sorted by id (the ring as it should be). */
export function sortById(nodes: readonly ChordNode[]): ChordNode[] {
  return [...nodes].sort((a, b) => (a.self.id < b.self.id ? -1 : a.self.id > b.self.id ? 1 : 0));
}

export function labHealth(live: readonly ChordNode[], opts: HealthOptions = {}): LabHealth {
  const t0 = performance.now();
  const sorted = sortById(live);
  const n = sorted.length;
  const index = new Map(sorted.map((node, i) => [node.self.address, i] as const));
  const next = new Int32Array(n).fill(-1);
  let wrongSucc = 0;
  let wrongPred = 0;
  sorted.forEach((node, i) => {
    const s = node.snapshot({ fingers: false });
    const succ = s.successors[0]?.address;
    next[i] = succ === undefined ? -1 : (index.get(succ) ?? -1);
    if (succ !== sorted[(i + 1) % n]!.self.address) wrongSucc++;
    const pred = s.predecessor?.address ?? null;
    const want = n > 1 ? sorted[(i - 1 + n) % n]!.self.address : null;
    if (n > 1 ? pred !== want : pred !== null && pred !== node.self.address) wrongPred++;
  });
  const rings = countCycles(next);
  const orderedRing = n === 0 || isOrderedCycle(next);
  const fingers = checkFingers(sorted, opts);
  const healthy = orderedRing && wrongSucc === 0 && wrongPred === 0;
  return {
    nodes: n,
    orderedRing,
    rings,
    wrongSuccessors: wrongSucc,
    wrongPredecessors: wrongPred,
    checkedFingers: fingers.checked,
    wrongFingers: fingers.wrong,
    fingerNodes: fingers.nodes,
    healthy,
    correct: healthy && fingers.wrong === 0,
    checkMs: Math.round((performance.now() - t0) * 100) / 100,
    at: opts.at ?? 0,
  };
}

/** Following successors from index 0 visits 1, 2, ..., n-1 and comes back to 0. */
function isOrderedCycle(next: Int32Array): boolean {
  for (let i = 0; i < next.length; i++) if (next[i] !== (i + 1) % next.length) return false;
  return true;
}

/** Cycles in the functional graph i -> next[i] (-1 is a dead end). */
export function countCycles(next: Int32Array): number {
  const state = new Uint8Array(next.length); // 0 new, 1 on the current walk, 2 done
  let cycles = 0;
  for (let start = 0; start < next.length; start++) {
    let i = start;
    while (i >= 0 && state[i] === 0) (state[i] = 1), (i = next[i]!);
    if (i >= 0 && state[i] === 1) cycles++;
    for (let j = start; j >= 0 && state[j] === 1; j = next[j]!) state[j] = 2;
  }
  return cycles;
}

function checkFingers(
  sorted: readonly ChordNode[],
  opts: HealthOptions,
): { checked: number; wrong: number; nodes: number } {
  const n = sorted.length;
  if (n === 0 || sorted[0]!.routing !== 'chord') return { checked: 0, wrong: 0, nodes: 0 };
  const bits = sorted[0]!.bits;
  const budget = opts.fingerBudget ?? FINGER_BUDGET;
  const ids = sorted.map((x) => x.self.id);
  const want = Math.min(n, Math.floor(budget / bits));
  const chosen = want >= n ? sorted : sample(sorted, want, opts.random ?? Math.random);
  const size = 1n << BigInt(bits);
  let checked = 0;
  let wrong = 0;
  for (const node of chosen) {
    const got = new Map(node.snapshot({ fingers: true }).fingers.map((f) => [f.index, f.node.address] as const));
    for (let f = 0; f < bits; f++) {
      const start = (node.self.id + (1n << BigInt(f))) % size;
      checked++;
      if (got.get(f) !== sorted[successorIndex(ids, start)]!.self.address) wrong++;
    }
  }
  return { checked, wrong, nodes: chosen.length };
}

/** `k` distinct items of `list` picked at random (a partial Fisher–Yates shuffle of a copy). */
export function sample<T>(list: readonly T[], k: number, random: () => number): T[] {
  const copy = [...list];
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, k);
}
