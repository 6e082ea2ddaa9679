import type { RequestType } from '../wire/messages.js';

/**
 * Requests whose answer waits on a disk or carries a chunk: their time is not the link's round
 * trip, so they keep a fixed default timeout rather than the per-peer adaptive one.
 */
export const BULK_REQUESTS: ReadonlySet<RequestType> = new Set<RequestType>([
  'store_get',
  'store_put',
  'store_list',
  'store_sync',
  'file_manifest',
  'file_chunk',
]);
