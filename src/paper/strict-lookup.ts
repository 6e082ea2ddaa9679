/**
 * A lookup without retries, as the Chord paper's simulator ran them ("if a query is forwarded
 * to a node that is down, the query simply fails"): the same iterative walk of find_step RPCs
 * that p2pterm's route() makes, through the node's own transport, but the first RPC that
 * fails ends the lookup. p2pterm's own lookup instead excludes the silent node and asks the
 * previous hop for another way (up to 24 times).
 */
import type { ChordNode } from '../dht/chord-node.js';

/** The most routing steps before a lookup counts as lost in a loop. */
export const STRICT_MAX_HOPS = 64;

export interface StrictLookupResult {
  /** Address of the node named as the key's owner. */
  readonly owner: string;
  /** Remote nodes that answered a routing step. */
  readonly hops: number;
}

/** Looks `key` up from `node`; rejects on the first RPC that fails. */
export async function strictLookup(node: ChordNode, key: bigint): Promise<StrictLookupResult> {
  const body = { key: key.toString(16), exclude: [] };
  // The first step is the asker's own routing table, read through its find_step handler.
  let step = await node.request(node.self.address, 'find_step', body);
  let hops = 0;
  while (!step.done) {
    if (++hops > STRICT_MAX_HOPS) throw new Error(`lookup of ${body.key} exceeded ${STRICT_MAX_HOPS} hops`);
    step = await node.request(step.node.address, 'find_step', body);
  }
  return { owner: step.node.address, hops };
}
