/**
 * How a node talks to others: typed request/response by message type. Two implementations
 * share this interface, real TCP and an in-memory network for simulations.
 */
import type { RequestBody, RequestType, ResponseBody, RoutingMode } from '../wire/messages.js';

/** Who is asking, as established by the hello. */
export interface PeerInfo {
  readonly id: string;
  /** The address the peer listens on, or null for a client that does not serve. */
  readonly address: string | null;
}

/** Serves one request; throw a P2pError to answer with an error code. */
export type RequestHandler = <T extends RequestType>(
  type: T,
  body: RequestBody<T>,
  from: PeerInfo,
) => Promise<ResponseBody<T>>;

export interface RequestOptions {
  /** Milliseconds before the request fails with RpcTimeoutError (default: transport's). */
  readonly timeoutMs?: number;
  /** Aborts the wait (e.g. on shutdown). */
  readonly signal?: AbortSignal;
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
  request<T extends RequestType>(to: string, type: T, body: RequestBody<T>, opts?: RequestOptions): Promise<ResponseBody<T>>;
  /** Stops serving, closes every connection, rejects pending requests. */
  close(): Promise<void>;
}
