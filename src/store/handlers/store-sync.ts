/**
 * `store_sync`: which of the listed entries this node lacks, or holds with other content. The
 * asker may drop its own copy on the word that this node holds one, so a node whose leave is
 * under way counts what it confirms as taken: its last pass hands those on too, or the leave
 * fails (its first hand-off may have gone to a node that is gone since).
 */
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
      else ctx.arrivals?.add(e.key);
    });
    return { missing, differ };
  };
}
