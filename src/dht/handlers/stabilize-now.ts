/**
 * `stabilize_now`: a joiner asks the node that should now point at it to run a round at once,
 * so the ring is whole before that node's next scheduled round. Answered without waiting.
 * What this node last heard from its successor is stale from now on (the joiner sits between
 * them): until the round has run, a lookup's last step asks the successor again.
 */
import type { ResponseBody } from '../../wire/messages.js';
import type { NodeContext } from '../node-context.js';

export function stabilizeNowHandler(ctx: NodeContext) {
  return async (): Promise<ResponseBody<'stabilize_now'>> => {
    ctx.vouch.forget();
    ctx.ticker
      .step()
      .catch((e: Error) => ctx.log('debug', 'stabilize', `round asked for by a peer failed: ${e.message}`));
    return {};
  };
}
