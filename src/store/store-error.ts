/**
 * Errors of the ring store, each with a stable `code`:
 * - NOT_FOUND    every holder answered and none has the key
 * - UNAVAILABLE  the key's holders could not be reached, or fewer than r copies were stored
 * - NOT_OWNER    a primary put reached a node that does not own the key (the caller re-routes)
 * - TOO_LARGE    a value above MAX_VALUE_BYTES
 * - BAD_KEY      an empty or over-long key
 * - STOPPED      the store was stopped
 * - QUOTA        a peer's store_put beyond the bytes it may store on this node
 */
import { P2pError } from '../wire/errors.js';

export type StoreErrorCode = 'NOT_FOUND' | 'UNAVAILABLE' | 'NOT_OWNER' | 'TOO_LARGE' | 'BAD_KEY' | 'STOPPED' | 'QUOTA';

export class StoreError extends P2pError {
  constructor(
    override readonly code: StoreErrorCode,
    message: string,
  ) {
    super(code, message);
  }
}
