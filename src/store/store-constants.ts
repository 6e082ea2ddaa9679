/** Ring-store constants, with units and why. */
// Plain numbers only: the console's options read DEFAULT_REPLICAS before its first frame, and
// the wire schemas (zod) load after it.
import { MAX_LIST, MAX_STORE_VALUE } from '../core/constants.js';

/** Largest value under one key: 4 MiB, so a chunk plus headers fits one 8 MiB frame. */
export const MAX_VALUE_BYTES = MAX_STORE_VALUE;
/** Longest key accepted (a file name or `chunk:<sha256 hex>`); message strings allow as much. */
export const MAX_KEY_LENGTH = 4096;
/** Copies of each key by default: the owner and its next two successors. */
export const DEFAULT_REPLICAS = 3;
/** Entries per listing or sync page: a wire list limit, so no page makes a huge frame. */
export const PAGE_SIZE = MAX_LIST;
/** A maintenance pass every 4 stabilization rounds: repairs follow the ring closely, cheaply. */
export const MAINTAIN_EVERY_ROUNDS = 4;
/**
 * A maintenance pass gives the lookup of one group's owner (and its successor list) this many
 * stabilization rounds: under churn a lookup can meet dead node after dead node, and the
 * groups after it (other keys' only copies, perhaps) must not wait for it.
 */
export const GROUP_LOOKUP_ROUNDS = 10;
/**
 * A leaver waits this long at most, once its successor took everything, for the copies it
 * sends to the nodes after it: long enough for a loaded node that answers each copy late (its
 * disk is busy) to get every one, since what is not sent by then leaves with this node and the
 * key is down to fewer copies; short enough that an unreachable one holds a leave up by little.
 */
export const HANDOFF_EXTRA_MS = 5_000;
/**
 * The same wait in a leaver's last pass (what it took during the hand-off): the leaver refuses
 * copies then, and a neighbour whose own leave needs it as a taker fails meanwhile, so short.
 */
export const HANDOFF_SEALED_EXTRA_MS = 1_000;
/**
 * A leave whose hand-off found no successor to take everything refreshes its successor list
 * (one stabilization round) and tries again, this many attempts in all...
 */
export const HANDOFF_ATTEMPTS = 3;
/**
 * ...but only while the attempts so far took less than this many stabilization rounds: a list
 * of nodes that left fails fast (refused connections) and is worth refreshing; a hand-off that
 * waited out timeouts on an overloaded ring fails the leave rather than hold it up longer.
 */
export const HANDOFF_RETRY_ROUNDS = 10;
/** After a ring change, run a pass one stabilization round later (changes come in bursts). */
export const CHANGE_DELAY_ROUNDS = 1;
/**
 * For 10 rounds after this node merged two rings, a ring change starts a pass at once: keys
 * stored apart must reach their holders in the merged ring before anyone asks for them.
 */
export const MERGE_RECONCILE_ROUNDS = 10;
/** A put retries this many times when the owner moved or died under it. */
export const PUT_ATTEMPTS = 4;
/** Values pushed to one peer at a time during maintenance (bounded memory: 4 × 4 MiB). */
export const PUSH_PARALLEL = 4;
/** A get also asks this many nodes past the r holders (copies not yet re-homed after churn). */
export const GET_EXTRA_CANDIDATES = 2;
