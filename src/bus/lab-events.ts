/**
 * What the ring lab reports: ring health, lookup storms, disturbances and how long the ring
 * took to recover from each. Plain data, published on the lab's bus as `lab:*` events and
 * printed as JSON lines by `p2pterm sim --headless --json`.
 */
import type { Routing } from '../core/chord-state.js';

export type LabTransport = 'memory' | 'tcp';

export interface LabHealth {
  /** Live ring members checked. */
  readonly nodes: number;
  /** Following successors from the lowest id visits every live node once, in id order. */
  readonly orderedRing: boolean;
  /** Cycles in the successor graph (1 for a single ring; 2 after a clean split). */
  readonly rings: number;
  readonly wrongSuccessors: number;
  readonly wrongPredecessors: number;
  /** Finger entries checked (all of them, or those of a sample of nodes on big rings). */
  readonly checkedFingers: number;
  readonly wrongFingers: number;
  /** Nodes whose fingers were checked; less than `nodes` when sampled. */
  readonly fingerNodes: number;
  /** Ordered single ring, every successor and predecessor right. */
  readonly healthy: boolean;
  /** Healthy and no wrong finger seen (always true for naive routing). */
  readonly correct: boolean;
  /** Wall-clock ms the check took. */
  readonly checkMs: number;
  /** Lab time (virtual ms on the memory transport) when checked. */
  readonly at: number;
}

export interface StormResult {
  readonly lookups: number;
  readonly ok: number;
  /** Lookups that threw (timeouts, too many dead nodes). */
  readonly failed: number;
  /** Lookups that answered with a node that does not own the key. */
  readonly wrongOwner: number;
  readonly meanHops: number;
  readonly p50Hops: number;
  readonly p99Hops: number;
  readonly maxHops: number;
  /** histogram[h] = lookups that took h hops. */
  readonly histogram: readonly number[];
  /** The reference figure: ½·log₂N for chord, N/2 for naive. */
  readonly expectedHops: number;
  readonly expectedLabel: string;
  readonly nodes: number;
  readonly routing: Routing;
  readonly virtualMs: number;
  readonly wallMs: number;
}

export type DisturbanceKind =
  | 'build'
  | 'join'
  | 'crash'
  | 'leave'
  | 'partition'
  | 'heal'
  | 'latency'
  | 'loss'
  | 'fresh';

export interface Disturbance {
  readonly kind: DisturbanceKind;
  readonly detail: string;
  /** Lab time and wall time when it happened. */
  readonly at: number;
  readonly wallAt: number;
}

export interface Convergence {
  readonly kind: DisturbanceKind;
  readonly detail: string;
  /** Time until the ring was healthy (successors and predecessors right), or null if never seen. */
  readonly ringMs: number | null;
  readonly ringWallMs: number | null;
  /** Time until the fingers were right too (chord), or null if not reached. */
  readonly fullMs: number | null;
  readonly fullWallMs: number | null;
  /** True when another disturbance came first. */
  readonly superseded: boolean;
}

export interface LabClockState {
  readonly now: number;
  readonly speed: number;
  readonly paused: boolean;
  readonly virtual: boolean;
}

export interface LabRingInfo {
  /** Live ring members (virtual nodes). */
  readonly nodes: number;
  /** Live hosts (processes): `nodes` / `vnodes`. */
  readonly hosts: number;
  /** Virtual nodes per host (1: a host is one node). */
  readonly vnodes: number;
  readonly routing: Routing;
  readonly bits: number;
  readonly transport: LabTransport;
  readonly latencyMs: number;
  readonly loss: number;
  readonly partitioned: number;
  /** Hosts built so far while a ring is being built (null when not building). */
  readonly building: { readonly done: number; readonly of: number } | null;
}
