/**
 * Every message p2pterm nodes exchange, as zod schemas: one map of request bodies and one of
 * the matching response bodies. Inbound values are parsed against these before use, with
 * hard limits on every string and list.
 */
import { z } from 'zod';
import { MAX_LIST, MAX_STORE_VALUE, MAX_STRING, MAX_VNODES } from '../core/constants.js';

/** A node id as lowercase hex (at most 160 bits). */
export const hexId = z.string().regex(/^[0-9a-f]{1,40}$/, 'id must be lowercase hex of at most 160 bits');
/** A process's "host:port" (host may be a bracketed IPv6 literal): what a hello names. */
export const hostAddress = z
  .string()
  .max(300)
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.\-_]+):\d{1,5}$/, 'address must be host:port');
/** A ring member's address: "host:port", or "host:port/i" for a process's virtual node i ≥ 1. */
export const address = z
  .string()
  .max(300)
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.\-_]+):\d{1,5}(\/[1-9]\d{0,3})?$/, 'address must be host:port or host:port/i')
  .refine(
    (a) => !a.includes('/') || Number(a.slice(a.lastIndexOf('/') + 1)) < MAX_VNODES,
    'virtual node index too large',
  );
/** A virtual node's index on the wire (0, the plain address, is never sent). */
export const vnodeIndex = z
  .number()
  .int()
  .min(1)
  .max(MAX_VNODES - 1);
/**
 * The optional routing part of a request frame between processes that run virtual nodes:
 * which of the receiver's virtual nodes it is for (`to`) and which of the sender's sent it
 * (`from`); absent fields mean virtual node 0, so frames between single nodes carry none.
 */
export const vnodeRoute = z.object({ to: vnodeIndex.optional(), from: vnodeIndex.optional() }).strict();
export type VnodeRoute = z.infer<typeof vnodeRoute>;
export const wireRef = z.object({ id: hexId, address });
export type WireRef = z.infer<typeof wireRef>;

const refList = z.array(wireRef).max(MAX_LIST);
export const routingMode = z.enum(['chord', 'naive']);
export type RoutingMode = z.infer<typeof routingMode>;

export const hello = z.object({
  version: z.number().int().nonnegative(),
  id: hexId,
  address: hostAddress.nullable(),
  bits: z.number().int().min(1).max(160),
  routing: routingMode,
  /**
   * A dialer's random token for this connection: the server asks the claimed address whether
   * the token is its own (a `probe`), so a peer cannot pass for a node it is not.
   */
  token: z.string().min(1).max(64).optional(),
});
export type Hello = z.infer<typeof hello>;

const empty = z.object({}).strict();

const storeKey = z.string().min(1).max(MAX_STRING);
const storeKind = z.enum(['manifest', 'chunk', 'value']);
const storeValue = z.custom<Uint8Array>(
  (v) => v instanceof Uint8Array && v.byteLength <= MAX_STORE_VALUE,
  'value must be bytes, at most 4 MiB',
);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'digest must be SHA-256 hex');
const storeEntry = z.object({
  key: storeKey,
  kind: storeKind,
  size: z.number().int().min(0).max(MAX_STORE_VALUE),
  digest: sha256Hex,
});
const indexList = z.array(z.number().int().min(0).max(MAX_LIST)).max(MAX_LIST);

/** Request bodies by message type. */
export const requestSchemas = {
  ping: empty,
  /** Stabilize: the successor's predecessor and successor list in one round trip. */
  neighbours: empty,
  /** "I might be your predecessor": the receiver rectifies. */
  notify: z.object({ node: wireRef }),
  /** One routing step towards the owner of `key`. */
  find_step: z.object({ key: hexId, exclude: z.array(address).max(32) }),
  /** The finger table, used as hints by a joiner and by the console. */
  fingers: empty,
  /** Sent by a node that leaves gracefully to its predecessor and successor. */
  leaving: z.object({ node: wireRef, predecessor: wireRef.nullable(), successors: refList }),
  /** Ask a node to run a stabilize round now (a joiner nudges its new predecessor). */
  stabilize_now: empty,
  /**
   * Ring merge: `node` is alive and may belong to another ring; the receiver adopts it as
   * successor when it is closer, or passes the hint on towards the node just before it
   * (at most `ttl` more times).
   */
  merge_hint: z.object({ node: wireRef, ttl: z.number().int().min(0).max(64) }),
  /** Ring store: read one value (a chunk, a manifest) from the receiver's disk. */
  store_get: z.object({ key: storeKey }),
  /**
   * Ring store: `replica` 0 asks the owner to store and replicate to its next r-1 successors
   * before answering; 1 or more stores one copy on the receiver only.
   */
  store_put: z.object({
    key: storeKey,
    value: storeValue,
    replica: z.number().int().min(0).max(64),
    kind: storeKind.default('value'),
  }),
  /** Ring store: a page of the receiver's entries with ids in the ring interval (from, to], after key `after`. */
  store_list: z.object({
    from: hexId,
    to: hexId,
    after: storeKey.nullable(),
    limit: z.number().int().min(1).max(MAX_LIST),
  }),
  /** Ring store: which of these entries the receiver lacks, or holds with other content. */
  store_sync: z.object({ entries: z.array(z.object({ key: storeKey, digest: sha256Hex })).max(MAX_LIST) }),
  /** A shared file's manifest, by name (tracker-assisted transfers between p2pterm peers). */
  file_manifest: z.object({ name: z.string().min(1).max(255) }),
  /** Is `token` the hello token of one of your own connections? (see hello.token) */
  probe: z.object({ token: z.string().min(1).max(64) }),
  /** One chunk of a shared file, by name, manifest id and index. */
  file_chunk: z.object({
    name: z.string().min(1).max(255),
    manifest: z.string().regex(/^[0-9a-f]{64}$/),
    index: z.number().int().min(0),
    /** Chunks from `index` on, sent back to back (default 1; the server may send fewer). */
    count: z.number().int().min(1).max(256).optional(),
  }),
} as const;

/** Response bodies by message type. */
export const responseSchemas = {
  ping: z.object({ id: hexId }),
  neighbours: z.object({ predecessor: wireRef.nullable(), successors: refList }),
  /** The receiver's predecessor once it weighed the notify (absent in replies from older nodes). */
  notify: z.object({ predecessor: wireRef.nullable().optional() }),
  /**
   * `vouch` (with `done`): the receiver heard from `node`, its successor, `ageMs` ago, and
   * `node` then named `predecessor` as its predecessor; `asked` when it asked for this reply.
   */
  find_step: z.object({
    done: z.boolean(),
    node: wireRef,
    vouch: z
      .object({ predecessor: wireRef.nullable(), ageMs: z.number().int().min(0), asked: z.boolean() })
      .nullable()
      .optional(),
  }),
  fingers: z.object({ fingers: refList }),
  leaving: empty,
  stabilize_now: empty,
  merge_hint: empty,
  store_get: z.object({ value: storeValue.nullable() }),
  store_put: z.object({ holders: refList }),
  store_list: z.object({ entries: z.array(storeEntry).max(MAX_LIST), more: z.boolean() }),
  store_sync: z.object({ missing: indexList, differ: indexList }),
  file_manifest: z.object({ manifest: z.instanceof(Uint8Array) }),
  file_chunk: z.object({ data: z.instanceof(Uint8Array) }),
  probe: z.object({ mine: z.boolean() }),
} as const satisfies { [K in keyof typeof requestSchemas]: z.ZodType };

export type RequestType = keyof typeof requestSchemas;
export type RequestBody<T extends RequestType> = z.infer<(typeof requestSchemas)[T]>;
export type ResponseBody<T extends RequestType> = z.infer<(typeof responseSchemas)[T]>;

export function isRequestType(t: unknown): t is RequestType {
  return typeof t === 'string' && Object.hasOwn(requestSchemas, t);
}
