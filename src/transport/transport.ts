/**
 * How a node talks to others: typed request/response by message type. Two implementations
 * share this interface, real TCP and an in-memory network for simulations.
 */
import type { RequestBody, RequestType, ResponseBody, RoutingMode } from '../wire/messages.js';

/** Who is asking, as established by the hello. */
export interface PeerInfo {
  readonly id: string;
  /**
   * The address the peer listens on, proven by the address probe; null for a client that does
   * not serve, and for a peer whose claim is still being checked (see before-proof.ts).
   */
  readonly address: string | null;
  /** The remote IP the connection comes from, where the transport knows it. */
  readonly remote?: string;
  /** The address the peer claims while that claim is being checked (see `address`). */
  readonly claimed?: string;
}

/**
 * The identity per-peer limits and quotas are kept under: the advertised address for a peer
 * that serves (its id is the hash of that address, and the address answered a probe proving
 * it is the same node, so it cannot be picked at will); for a peer whose claim is not checked
 * yet, that claim (many nodes on one host or behind one NAT do not share one allowance; a liar
 * gains no more than by listening on many ports, and connections per IP are bounded); else the
 * remote IP (a client without an address could claim any id), else the claimed id (the
 * in-memory network).
 */
export function peerKey(from: PeerInfo): string {
  if (from.address) return from.address;
  if (from.claimed) return `claim ${from.claimed}`;
  return from.remote ? `ip ${from.remote}` : `id ${from.id}`;
}

/**
 * A handler may put a callback under this key of its response body: the transport calls it
 * once the body's bytes are out of its hands, so a pooled buffer can be reused. Not every
 * transport calls it (the in-memory one hands bodies over as they are); a buffer whose
 * callback is never called is simply left to the GC.
 */
export const RELEASE = Symbol('release');

/** A response body that may carry a RELEASE callback. */
export interface Releasable {
  [RELEASE]?: () => void;
}

/**
 * Serves one request; throw a P2pError to answer with an error code. `from` is the sending
 * (virtual) node; `vnode` is which of this process's virtual nodes the request is for (0: the
 * first, whose address is the plain "host:port").
 */
export type RequestHandler = <T extends RequestType>(
  type: T,
  body: RequestBody<T>,
  from: PeerInfo,
  vnode?: number,
) => Promise<ResponseBody<T>>;

export interface RequestOptions {
  /** Milliseconds before the request fails with RpcTimeoutError (default: transport's). */
  readonly timeoutMs?: number;
  /** Aborts the wait (e.g. on shutdown): ABORTED, or the signal's reason when it is an Error. */
  readonly signal?: AbortSignal;
  /**
   * A buffer the response's large binary field may be received straight into (TCP does when
   * the lengths match; the field is then this very buffer). It is never written once the
   * request has settled, whatever the outcome.
   */
  readonly into?: Uint8Array;
  /** Which of this process's virtual nodes sends the request (default 0; see vnode-host.ts). */
  readonly fromVnode?: number;
}

/** What a node says about itself in the hello. */
export interface LocalIdentity {
  readonly id: string;
  readonly bits: number;
  readonly routing: RoutingMode;
}

export interface Transport {
  /** Starts serving; resolves with the "host:port" actually listened on. */
  listen(handler: RequestHandler): Promise<string>;
  request<T extends RequestType>(
    to: string,
    type: T,
    body: RequestBody<T>,
    opts?: RequestOptions,
  ): Promise<ResponseBody<T>>;
  /** Stops serving, closes every connection, rejects pending requests. */
  close(): Promise<void>;
  /**
   * A tag of the connection open to `to` now, or null when none is: it changes whenever the
   * connection is replaced, so a tag noted earlier that no longer matches means the connection
   * closed meanwhile (a peer whose process died has its connections closed by its kernel).
   */
  connectionTag?(to: string): number | null;
  /**
   * Resolves once the connection closings already reported to this process are seen by
   * connectionTag. TCP: a peer's FIN read in the same batch of events as a request is handled
   * one event-loop turn later than that request; a request answered after this has seen it.
   */
  closesSeen?(): Promise<void>;
  /** Closes every connection and goes on listening (the node left its ring). */
  dropConnections?(reason: string): void;
}
