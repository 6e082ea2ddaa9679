/** `store_get`: reads one value (a chunk, a manifest) from this node's store. */
import type { RequestBody, ResponseBody } from '../../wire/messages.js';
import type { StoreContext } from '../store-context.js';

export function storeGetHandler(ctx: StoreContext) {
  return async (b: RequestBody<'store_get'>): Promise<ResponseBody<'store_get'>> => {
    ctx.assertRunning();
    return { value: await ctx.read(b.key) };
  };
}
