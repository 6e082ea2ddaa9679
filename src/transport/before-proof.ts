import type { RequestType } from '../wire/messages.js';

/**
 * Requests a peer whose address is not proven yet is answered at once, as a client would be
 * (its `from` carries no address, its limits are kept under its remote IP): they only read,
 * and nothing in their answer depends on who asks. A first lookup step to a node never met
 * therefore costs no wait for the address probe. Every other request — those that change
 * neighbours (`notify`, `leaving`), store for the sender (`store_put`, `store_sync`), pass the
 * sender's word on (`merge_hint`), credit it (`file_chunk`), or come from one of its virtual
 * nodes — starts the probe (once per connection) and waits until it proved the claimed address;
 * it is dropped with the connection when it did not. A peer that only looks up is never probed,
 * which saves a connection back per new peer. A request type not listed here waits: new ones
 * are safe by default.
 */
export const ANSWERED_BEFORE_PROOF: ReadonlySet<RequestType> = new Set<RequestType>([
  'ping',
  'neighbours',
  'find_step',
  'fingers',
  'store_get',
  'store_list',
  'file_manifest',
  'probe',
]);
