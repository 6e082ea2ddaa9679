/**
 * The core's state changes as the console explains them: which pointer moved (successor,
 * predecessor, successor-list entry, finger i), from what to what, and why.
 */
import type { PointerChange } from '../bus/events.js';
import type { StateChange } from '../core/chord-state.js';
import { sameNode, type NodeRef } from '../core/node-ref.js';
import { toJson } from './wire-refs.js';

/** Where a caller of `NodeContext.apply` wants its changes explained and collected. */
export interface ChangeCause {
  /** The message or timeout, in words. */
  readonly text: string;
  /** Collects the explained changes (a round's outcome). */
  readonly into: PointerChange[];
}

export function describeChange(c: StateChange, cause: string): PointerChange[] {
  const ref = (n: NodeRef | null | undefined) => (n ? toJson(n) : null);
  switch (c.kind) {
    case 'successor':
      return [{ pointer: 'successor', from: ref(c.from), to: ref(c.to), cause }];
    case 'predecessor':
      return [{ pointer: 'predecessor', from: ref(c.from), to: ref(c.to), cause }];
    case 'finger':
      return [{ pointer: 'finger', index: c.index, from: ref(c.from), to: ref(c.node), cause }];
    case 'successors':
      return listChanges(c.from, c.list, cause);
  }
}

/** One change per list position that differs; position 0 is the successor, reported on its own. */
function listChanges(before: readonly NodeRef[], after: readonly NodeRef[], cause: string): PointerChange[] {
  const out: PointerChange[] = [];
  for (let i = 1; i < Math.max(before.length, after.length); i++) {
    if (sameNode(before[i], after[i])) continue;
    const from = before[i];
    const to = after[i];
    out.push({
      pointer: 'successor-list',
      index: i,
      from: from ? toJson(from) : null,
      to: to ? toJson(to) : null,
      cause,
    });
  }
  return out;
}
