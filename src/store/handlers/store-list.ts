/** `store_list`: one page of this node's entries in a ring interval (a joiner pulls its share). */
import type { RequestBody, ResponseBody } from '../../wire/messages.js';
import { scanRing } from '../blob-store.js';
import type { StoreContext } from '../store-context.js';

export function storeListHandler(ctx: StoreContext) {
  return async (b: RequestBody<'store_list'>): Promise<ResponseBody<'store_list'>> => {
    ctx.assertRunning();
    const cursor = b.after === null ? null : { id: ctx.idOf(b.after), key: b.after };
    // One extra entry tells whether another page follows.
    const page = scanRing(ctx.blobs, BigInt('0x' + b.from), BigInt('0x' + b.to), cursor, b.limit + 1);
    const entries = page.slice(0, b.limit).map((m) => ({ key: m.key, kind: m.kind, size: m.size, digest: m.digest }));
    return { entries, more: page.length > b.limit };
  };
}
