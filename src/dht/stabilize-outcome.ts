/** A stabilization outcome as a round (or a notify) fills it in, published as `stabilize:round`. */
import type { PointerChange, StabilizeOutcome } from '../bus/events.js';
import { type ChordState, successorOf } from '../core/chord-state.js';
import { toJson } from './wire-refs.js';

/** The outcome while it is filled in: its lists can grow. */
export type Outcome = {
  -readonly [K in keyof StabilizeOutcome]: StabilizeOutcome[K] extends readonly (infer U)[] ? U[] : StabilizeOutcome[K];
} & { changes: PointerChange[] };

/** An outcome at `now` with nothing done yet but `changes`; `healthy` as the caller knows it. */
export function blankOutcome(
  st: ChordState,
  now: number,
  trigger: 'round' | 'notify',
  healthy: boolean,
  changes: PointerChange[] = [],
): Outcome {
  return {
    at: now,
    trigger,
    changes,
    successor: toJson(successorOf(st)),
    successorPredecessor: null,
    adoptedSuccessor: false,
    skippedDead: [],
    notified: false,
    fingerFixed: null,
    predecessorCheck: 'none',
    successorListChanged: false,
    healthy,
  };
}
