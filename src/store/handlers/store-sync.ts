/** `store_sync`: which of the listed entries this node lacks, or holds with other content. */
import type { RequestBody, ResponseBody } from '../../wire/messages.js';
import type { StoreContext } from '../store-context.js';

export function storeSyncHandler(ctx: StoreContext) {
  return async (b: RequestBody<'store_sync'>): Promise<ResponseBody<'store_sync'>> => {
    ctx.assertMember();
    const missing: number[] = [];
    const differ: number[] = [];
    b.entries.forEach((e, i) => {
      const m = ctx.blobs.meta(e.key);
      if (!m) missing.push(i);
      else if (m.digest !== e.digest) differ.push(i);
    });
    return { missing, differ };
  };
}
