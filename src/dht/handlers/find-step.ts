/**
 * `find_step`: one routing step of an iterative lookup, from this node's table (core routeStep).
 * A last step (`done`) naming this node's successor carries a vouch for it (successor-vouch.ts).
 */
import { routeStep } from '../../core/chord-state.js';
import type { RequestBody, ResponseBody } from '../../wire/messages.js';
import type { NodeContext } from '../node-context.js';
import { toWire } from '../wire-refs.js';

export function findStepHandler(ctx: NodeContext) {
  return async (b: RequestBody<'find_step'>): Promise<ResponseBody<'find_step'>> => {
    const st = ctx.requireRing();
    const step = routeStep(st, BigInt('0x' + b.key), b.exclude.length ? new Set(b.exclude) : undefined);
    const vouch = step.done ? await ctx.vouch.vouchFor(step.node) : null;
    return { done: step.done, node: toWire(step.node), vouch };
  };
}
