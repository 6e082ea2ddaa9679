/** `neighbours`: this node's predecessor and successor list (what stabilize asks a successor). */
import type { ResponseBody } from '../../wire/messages.js';
import type { NodeContext } from '../node-context.js';
import { toWire } from '../wire-refs.js';

export function neighboursHandler(ctx: NodeContext) {
  return async (): Promise<ResponseBody<'neighbours'>> => {
    const st = ctx.requireRing();
    return { predecessor: st.predecessor ? toWire(st.predecessor) : null, successors: st.successors.map(toWire) };
  };
}
