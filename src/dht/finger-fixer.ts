/**
 * fix_fingers: one finger per stabilization round, or the whole table at once (the console's
 * "refresh fingers"). Core picks the finger and records the answer; this file does the lookup.
 */
import * as core from '../core/chord-state.js';
import { deadline } from '../core/clock.js';
import { fingerStart } from '../core/ring-math.js';
import type { PointerChange } from '../bus/events.js';
import type { NodeContext } from './node-context.js';

/** Stabilization rounds a finger lookup may take before the round gives up on it. */
const FINGER_LOOKUP_ROUNDS = 2;

/** Fixes the next finger due; returns its index, or null when none needed a lookup or it failed. */
export async function fixNextFinger(
  ctx: NodeContext,
  st: core.ChordState,
  explain?: PointerChange[],
): Promise<number | null> {
  const changes: core.StateChange[] = [];
  const i = core.nextFingerToFix(st, ctx.clock.now(), changes);
  ctx.apply(changes, explain && { text: 'fix_fingers: the successor list covers these starts', into: explain });
  if (i === null) return null;
  // The lookup runs inside a stabilization round: one that meets dead node after dead node
  // (each a timeout) must not hold up the successor checks of the rounds after it.
  const limit = deadline(ctx.clock, ctx.ticker.intervalMs * FINGER_LOOKUP_ROUNDS);
  try {
    const r = await ctx.route(fingerStart(st.self.id, i, ctx.bits), limit.signal);
    const text = `fix_fingers: lookup of n+2^${i} answered ${r.owner.address} (${r.hops} hops)`;
    if (st === ctx.state)
      ctx.apply(core.setFinger(st, i, r.owner, ctx.clock.now()), explain && { text, into: explain });
    return i;
  } catch {
    return null; // no route now (or not in time): the finger keeps its entry and fix_fingers comes back to it
  } finally {
    limit.clear();
  }
}

/** Fixes every finger now, one lookup per distinct finger; returns the lookups made. */
export async function refreshFingers(ctx: NodeContext): Promise<number> {
  const st = ctx.st;
  if (st.routing !== 'chord' || !ctx.inRing) return 0;
  core.restartFingerFix(st);
  let lookups = 0;
  for (let guard = 0; guard < ctx.bits; guard++) {
    const changes: core.StateChange[] = [];
    const before = st.nextFinger;
    const i = core.nextFingerToFix(st, ctx.clock.now(), changes);
    ctx.apply(changes);
    if (i === null || (guard > 0 && st.nextFinger <= before && i < before)) break;
    // No route now: the finger keeps its entry (a later round fixes it).
    const r = await ctx.route(fingerStart(st.self.id, i, ctx.bits)).catch(() => null);
    lookups++;
    if (r && st === ctx.state) ctx.apply(core.setFinger(st, i, r.owner, ctx.clock.now()));
    if (st.nextFinger <= i) break;
  }
  return lookups;
}
