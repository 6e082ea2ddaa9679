/** Registers the ring store's message handlers on its node (one file per handler). */
import type { StoreContext } from '../store-context.js';
import { storeGetHandler } from './store-get.js';
import { storeListHandler } from './store-list.js';
import { storePutHandler } from './store-put.js';
import { storeSyncHandler } from './store-sync.js';

export function registerHandlers(ctx: StoreContext): void {
  ctx.node.handle('store_get', storeGetHandler(ctx));
  ctx.node.handle('store_put', storePutHandler(ctx));
  ctx.node.handle('store_list', storeListHandler(ctx));
  ctx.node.handle('store_sync', storeSyncHandler(ctx));
}
