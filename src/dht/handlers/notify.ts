/**
 * `notify`: a node says it may be our predecessor. Rectify decides (core); when that needs to
 * know whether the current predecessor still lives, it is pinged first.
 */
import { rectify, rectifyNeedsLivenessCheck } from '../../core/chord-state.js';
import type { NodeRef } from '../../core/node-ref.js';
import type { RequestBody, ResponseBody } from '../../wire/messages.js';
import type { NodeContext } from '../node-context.js';
import { fromWire } from '../wire-refs.js';

export function notifyHandler(ctx: NodeContext) {
  return async (b: RequestBody<'notify'>): Promise<ResponseBody<'notify'>> => {
    await rectifyWith(ctx, fromWire(b.node));
    return {};
  };
}

async function rectifyWith(ctx: NodeContext, candidate: NodeRef): Promise<void> {
  const st = ctx.requireRing();
  let alive = true;
  if (rectifyNeedsLivenessCheck(st, candidate)) alive = await ctx.isAlive(st.predecessor!);
  ctx.apply(rectify(st, candidate, alive));
}
