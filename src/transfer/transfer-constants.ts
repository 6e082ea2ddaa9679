/** Transfer engine constants, with units and why. */

const KiB = 1024;
const MiB = 1024 * KiB;

/** Default chunk size, 256 KiB: BitTorrent's and IPFS's common piece size. */
export const DEFAULT_CHUNK_SIZE = 256 * KiB;
/** Smallest chunk accepted, 16 KiB: below it per-chunk overhead dominates. */
export const MIN_CHUNK_SIZE = 16 * KiB;
/** Largest chunk accepted, 8 MiB: bounds the memory one in-flight request may pin. */
export const MAX_CHUNK_SIZE = 8 * MiB;
/** Largest file accepted, 1 TiB. */
export const MAX_FILE_SIZE = 1024 * 1024 * MiB;
/**
 * Most chunks a manifest may list: 1 TiB of 8 MiB chunks. Keeps an encoded manifest at 4 MiB,
 * small enough for one wire frame; larger files get larger chunks (see `chunkSizeFor`).
 */
export const MAX_CHUNKS = MAX_FILE_SIZE / MAX_CHUNK_SIZE;
/** Longest file name, in UTF-8 bytes (the usual file-system limit). */
export const MAX_NAME_BYTES = 255;
/** Requests in flight per source: hides one round trip at LAN speeds. */
export const DEFAULT_PIPELINE = 4;
/**
 * Bytes asked for in one request from a source that serves runs of chunks: 1 MiB (4 chunks of
 * 256 KiB). Each request costs both ends a message, wake-ups and bookkeeping whatever its size.
 */
export const SPAN_BYTES = 1 * MiB;
/**
 * Bytes asked for in one request from a fast source (see LONG_SPAN_RATE): 4 MiB, what a server
 * sends at most (MAX_SPAN_BYTES). A source wakes, reads and sends once per request; one of
 * several sources has one request in flight and sleeps between them. Serving 1 GiB on loopback
 * took the serving processes 0.6-1.0 CPU seconds from one source and 1.0-1.4 from four at 1 MiB
 * per request; 0.5-0.75 and 0.6-0.9 at 4 MiB.
 */
export const LONG_SPAN_BYTES = 4 * MiB;
/**
 * Long spans are asked for once the download runs at this rate or more (over RATE_WINDOW_MS):
 * 32 MB/s. Below it requests are few (at most ~30 a second, whatever the number of sources) and
 * their cost does not matter; and an upload-limited seeder's choker, which counts requests, not
 * bytes, keeps ordering requests of the usual size.
 */
export const LONG_SPAN_RATE = 32e6;
/**
 * ... and only from a source measured at 8 MB/s or more: a long span takes it half a second,
 * far inside a chunk request's timeout.
 */
export const LONG_SPAN_SOURCE_RATE = 8e6;
/** Most memory the chunk slots of one download take: 32 MiB (long spans shrink to fit). */
export const SLAB_BYTES = 32 * MiB;
/** Largest single file write: 256 KiB (larger buffered writes cost far more system time; see writeFully). */
export const WRITE_PIECE_BYTES = 256 * KiB;
/** Most bytes a server sends for one request for a run of chunks: 4 MiB (half a frame). */
export const MAX_SPAN_BYTES = 4 * MiB;
/** Consecutive fetch errors after which a source is dropped for the transfer. */
export const MAX_SOURCE_ERRORS = 3;
/** A source that answered BUSY rests 100 ms before it is asked again, doubling per BUSY in a row up to 5 s. */
export const BUSY_REST_MS = 100;
export const BUSY_REST_MAX_MS = 5_000;
/** BUSY answers in a row after which they count as failures (100 ms doubling to 5 s: about a minute). */
export const MAX_BUSY_IN_A_ROW = 18;
/** At most ~10 progress events a second: the console renders no faster. */
export const PROGRESS_INTERVAL_MS = 100;
/** Window the transfer rate is measured over. */
export const RATE_WINDOW_MS = 2_000;
/** Resume state is made durable after this many newly written bytes (one fsync + rename). */
export const CHECKPOINT_BYTES = 64 * MiB;
/** Concurrent downloads a TransferManager runs before it queues. */
export const DEFAULT_MAX_TRANSFERS = 3;
/** The picker picks at random among this many of the lowest-index rarest candidates. */
export const PICK_WINDOW = 16;
