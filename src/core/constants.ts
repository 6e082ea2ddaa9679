/**
 * Protocol and runtime constants, with units and why.
 *
 * Invariants:
 * - every duration is in milliseconds and every size in bytes (or list items, where named);
 * - a constant that peers must agree on (the protocol version, the size limits) changes only
 *   together with PROTOCOL_VERSION.
 */

/** Wire protocol version exchanged in the hello; peers with another version are refused. */
export const PROTOCOL_VERSION = 2;
/** Default identifier width: SHA-1's full 160 bits, as in the Chord paper. */
export const DEFAULT_BITS = 160;
/** Default successor-list length r (Zave: at least 4 for a ring that survives failures). */
export const DEFAULT_SUCCESSORS = 8;
/** One stabilize / fix-finger / check-predecessor round every 500 ms. */
export const DEFAULT_STABILIZE_MS = 500;
/**
 * A TCP node whose rounds change nothing stretches the interval up to 8x (500 ms -> 4 s): a
 * settled ring then costs an eighth of the messages; any change restores the full rate.
 */
export const DEFAULT_BACKOFF = 8;
/**
 * A node alone on its ring (its successor is itself, no predecessor) has nothing to stabilize:
 * with backoff on, its quiet rounds stretch up to 32x (500 ms -> 16 s). A joiner's notify sets
 * its predecessor, a change, which brings the full rate back at once (Ticker.wake).
 */
export const LONE_BACKOFF = 32;
/** An RPC that has no answer in 2 s counts as failed (a dead or partitioned peer). */
export const DEFAULT_RPC_TIMEOUT_MS = 2_000;
/**
 * Per-peer adaptive timeouts of ring requests (RFC 6298: smoothed RTT plus four mean
 * deviations): never below 500 ms (a busy event loop or a GC pause must not make a live peer
 * look dead; a dead one is still noticed 4x sooner than with the fixed 2 s), never above 10 s
 * (a peer that slow is as good as gone). A peer not measured yet gets DEFAULT_RPC_TIMEOUT_MS.
 */
export const RTO_FLOOR_MS = 500;
export const RTO_CEILING_MS = 10_000;
/**
 * A lookup takes the last hop's word that its successor (the owner) lives when the last hop
 * heard from it within 5 s on a connection still open (a quiet ring's stretched round is 4 s
 * at the default interval); an older word, or none, and the asker asks the owner itself.
 */
export const OWNER_VOUCH_MAX_AGE_MS = 5_000;
/** Peers whose round-trip estimates are kept (the least recently used go first). */
export const RTT_PEERS = 1024;
/** The longest a lookup may walk: generous for naive rings of tens of thousands. */
export const MAX_LOOKUP_HOPS = 70_000;
/** Largest frame accepted on the wire, 8 MiB: a 4 MiB chunk plus headers fits. */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;
/** Longest string field accepted in a message. */
export const MAX_STRING = 4096;
/** Longest list field accepted in a message (finger tables, successor lists, key lists). */
export const MAX_LIST = 1024;
/** Largest value the ring store keeps under one key: 4 MiB (a chunk; the frame limit is 8 MiB). */
export const MAX_STORE_VALUE = 4 * 1024 * 1024;
/** A connection that has not said hello within 5 s is closed. */
export const HELLO_TIMEOUT_MS = 5_000;
/**
 * Most virtual nodes one process runs (`--vnodes`): the paper's load-balance figure goes to 20;
 * 64 leaves room while keeping the per-vnode index small on the wire.
 */
export const MAX_VNODES = 64;
