/**
 * `store_put`: with `replica` 0 the receiver acts as the key's owner (stores, replicates,
 * answers with the holders); otherwise it stores one copy, in the role its ring view gives.
 */
import { toWire } from '../../dht/wire-refs.js';
import { peerKey, type PeerInfo } from '../../transport/transport.js';
import type { RequestBody, ResponseBody } from '../../wire/messages.js';
import { storeAsOwner } from '../owner-put.js';
import type { StoreContext } from '../store-context.js';

export function storePutHandler(ctx: StoreContext) {
  return async (b: RequestBody<'store_put'>, from: PeerInfo): Promise<ResponseBody<'store_put'>> => {
    ctx.assertMember();
    const sender = peerKey(from);
    if (b.replica === 0) return { holders: (await storeAsOwner(ctx, b.key, b.kind, b.value, sender)).map(toWire) };
    await ctx.save(b.key, b.kind, b.value, undefined, sender);
    return { holders: [toWire(ctx.self)] };
  };
}
