/**
 * `ping`: answers with this node's id. A node that left answers no ring traffic, not even
 * ping: others must see it as gone.
 */
import type { ResponseBody } from '../../wire/messages.js';
import type { NodeContext } from '../node-context.js';

export function pingHandler(ctx: NodeContext) {
  return async (): Promise<ResponseBody<'ping'>> => ({ id: ctx.requireRing().self.id.toString(16) });
}
