/**
 * `notify`: a node says it may be our predecessor. Rectify decides (core); when that needs to
 * know whether the current predecessor still lives, it is pinged first.
 */
import type { PointerChange } from '../../bus/events.js';
import { rectify, rectifyNeedsLivenessCheck } from '../../core/chord-state.js';
import type { NodeRef } from '../../core/node-ref.js';
import type { RequestBody, ResponseBody } from '../../wire/messages.js';
import type { NodeContext } from '../node-context.js';
import { fromWire, toWire } from '../wire-refs.js';
import { blankOutcome } from '../stabilize-outcome.js';

/**
 * How long a notify's answer waits for the replaced predecessor to take the request to
 * stabilize: well under any RPC timeout (the notifier's own request must not time out).
 */
const ASK_WAIT_MS = 250;

export function notifyHandler(ctx: NodeContext) {
  return async (b: RequestBody<'notify'>): Promise<ResponseBody<'notify'>> => {
    await rectifyWith(ctx, fromWire(b.node));
    const pred = ctx.requireRing().predecessor;
    return { predecessor: pred && toWire(pred) };
  };
}

/**
 * A predecessor that moves by notify is a round of its own on the bus (trigger 'notify') and
 * a log line, so the console shows it like the timer's rounds.
 */
async function rectifyWith(ctx: NodeContext, candidate: NodeRef): Promise<void> {
  const st = ctx.requireRing();
  let alive = true;
  const old = st.predecessor;
  if (rectifyNeedsLivenessCheck(st, candidate)) alive = await ctx.isAlive(st.predecessor!);
  const why = old && !alive ? `, after ${old.address} did not answer a ping` : '';
  const changes: PointerChange[] = [];
  ctx.apply(rectify(st, candidate, alive), { text: `notify from ${candidate.address}${why}`, into: changes });
  if (changes.length === 0) return;
  ctx.log('info', 'stabilize', `predecessor ${old?.address ?? 'none'} → ${candidate.address}: notify${why}`);
  // A closer predecessor replaced one that lives: that one still names this node as its
  // successor (and vouches with what it last heard) for keys that are now the candidate's —
  // also when the candidate joined through a route that did not know of it (two joins into
  // one gap). It is asked to run a round at once, as a joiner's lone successor is, and the
  // answer waits for it (ASK_WAIT_MS at most): it has dropped that word once it answered, so a
  // lookup sent after the joiner's notify returned does not name this node for the joiner's keys.
  if (old && alive) await ctx.askToStabilize(old, ASK_WAIT_MS);
  if (ctx.bus.wants('stabilize:round'))
    ctx.bus.emit('stabilize:round', blankOutcome(st, ctx.clock.now(), 'notify', true, changes));
}
