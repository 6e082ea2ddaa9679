/** `fingers`: this node's distinct finger entries (a joiner seeds its own table with them). */
import type { NodeRef } from '../../core/node-ref.js';
import type { ResponseBody } from '../../wire/messages.js';
import type { NodeContext } from '../node-context.js';
import { toWire } from '../wire-refs.js';

export function fingersHandler(ctx: NodeContext) {
  return async (): Promise<ResponseBody<'fingers'>> => ({ fingers: uniqueRefs(ctx.requireRing().fingers).map(toWire) });
}

function uniqueRefs(list: readonly (NodeRef | null)[]): NodeRef[] {
  const seen = new Set<string>();
  const out: NodeRef[] = [];
  for (const n of list) if (n && !seen.has(n.address)) seen.add(n.address), out.push(n);
  return out;
}
