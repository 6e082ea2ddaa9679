/** Tracker constants, with units and a one-line why. */

const ms = 1;
const s = 1000 * ms;
const KiB = 1024;

/** The design document's well-known index server port. */
export const P2PCI_DEFAULT_PORT = 7734;
/** The only protocol version P2P-CI/1.0 servers speak; anything else gets 505. */
export const P2PCI_VERSION = 'P2P-CI/1.0';
/** First line that switches a connection to the native JSON-lines protocol. */
export const NATIVE_MAGIC = 'P2PTERM-TRACKER/1';

/** Longest P2P-CI line accepted: real requests are well under 200 bytes. */
export const MAX_LINE_BYTES = 8 * KiB;
/** Most header lines in one P2P-CI request (Host, Port, Title and a few unknown ones). */
export const MAX_HEADERS = 32;
/** Largest whole P2P-CI request (request line + headers). */
export const MAX_REQUEST_BYTES = 16 * KiB;
/** Largest decimal RFC number accepted (9 digits keeps it a small safe integer). */
export const MAX_RFC_DIGITS = 9;

/** A request without its final blank line is completed after the client is quiet this long. */
export const IDLE_COMPLETE_MS = 100 * ms;
/** A half-sent line (no line end) still pending after this long gets 400 and a close. */
export const STALL_MS = 5 * s;
/** P2P-CI clients hold the connection open while a user sits at a prompt: be patient. */
export const P2PCI_IDLE_MS = 30 * 60 * s;
/** TCP keepalive probes detect vanished P2P-CI hosts without an application ping. */
export const KEEPALIVE_MS = 30 * s;

/** Native peers silent longer than this are marked offline (and disconnected). */
export const DEFAULT_LIVENESS_MS = 15 * s;
/** Longest native JSON line: an announce of a few thousand files fits. */
export const MAX_NATIVE_LINE_BYTES = 1024 * KiB;
/** Most files in one announce message; the client sends bigger sets in batches. */
export const MAX_ANNOUNCE_FILES = 2000;
/** Most matches returned by one native search (groups of name + content). */
export const MAX_SEARCH_RESULTS = 200;

/** Requests handled per connection before yielding the event loop to other clients. */
export const REQUESTS_PER_TURN = 64;
/** Unsent response bytes after which a connection stops being read until it drains. */
export const MAX_PENDING_OUTPUT = 1024 * KiB;
/** Simultaneous connections from one IP address (a flood cannot exhaust the server). */
export const DEFAULT_MAX_CONNS_PER_IP = 64;
/** Simultaneous connections overall. */
export const DEFAULT_MAX_CONNS = 10_000;

/** Upload server: a GET must arrive within this long after connecting. */
export const UPLOAD_REQUEST_MS = 10 * s;
/** Upload server: a body write that makes no progress this long aborts the transfer. */
export const UPLOAD_IDLE_MS = 30 * s;
/** Upload server: simultaneous downloads from one IP address. */
export const UPLOAD_MAX_CONNS_PER_IP = 16;

/** Tracker client: a request without an answer in this long fails (and suggests a dead link). */
export const CLIENT_REQUEST_TIMEOUT_MS = 5 * s;
/** Tracker client: heartbeat period until the tracker names its own at register (15 s / 3). */
export const DEFAULT_HEARTBEAT_MS = 5 * s;
/** Tracker client: first reconnect delay, doubled per failure up to the maximum. */
export const RECONNECT_MIN_MS = 100 * ms;
/** Tracker client: reconnect delay ceiling. */
export const RECONNECT_MAX_MS = 5 * s;
