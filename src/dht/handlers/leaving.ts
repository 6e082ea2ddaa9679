/**
 * `leaving`: a neighbour leaves gracefully and hands over what it knows (its predecessor to
 * its successor, its successor list to its predecessor); core mergeLeaving closes the gap.
 */
import { mergeLeaving } from '../../core/chord-state.js';
import type { RequestBody, ResponseBody } from '../../wire/messages.js';
import type { NodeContext } from '../node-context.js';
import { fromWire } from '../wire-refs.js';

export function leavingHandler(ctx: NodeContext) {
  return async (b: RequestBody<'leaving'>): Promise<ResponseBody<'leaving'>> => {
    const node = fromWire(b.node);
    const pred = b.predecessor ? fromWire(b.predecessor) : null;
    const succs = b.successors.map(fromWire);
    const st = ctx.requireRing();
    ctx.log('info', 'ring', `${node.address} is leaving`);
    ctx.apply(mergeLeaving(st, node, pred, succs, ctx.clock.now()));
    return {};
  };
}
