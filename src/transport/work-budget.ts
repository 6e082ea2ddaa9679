/**
 * The node-wide bound on work peers can make a node hold: requests in service and the bytes
 * of their bodies, summed over every connection. A request that does not fit is answered BUSY
 * at once instead of waiting, so nothing queues behind a flood and a closed connection leaves
 * no backlog; the per-connection cap (tcp-connection.ts) keeps one peer from taking it all.
 */

/** Requests in service at once over all connections. */
export const DEFAULT_MAX_REQUESTS = 2048;
/** Bytes of request bodies in service at once (store_put values mostly). */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

export class WorkBudget {
  private requests = 0;
  private bytes = 0;

  constructor(
    readonly maxRequests = DEFAULT_MAX_REQUESTS,
    readonly maxBytes = DEFAULT_MAX_BYTES,
  ) {}

  /** Reserves one request of `bytes`; false (nothing reserved) when it does not fit. */
  take(bytes: number): boolean {
    if (this.requests >= this.maxRequests || (this.bytes + bytes > this.maxBytes && this.requests > 0)) return false;
    this.requests++;
    this.bytes += bytes;
    return true;
  }

  release(bytes: number): void {
    this.requests--;
    this.bytes -= bytes;
  }

  get inService(): { readonly requests: number; readonly bytes: number } {
    return { requests: this.requests, bytes: this.bytes };
  }
}

/** Bytes of the binary fields at the top of a request body (the large part, if any). */
export function bodyBytes(body: unknown): number {
  if (typeof body !== 'object' || body === null) return 0;
  let n = 0;
  for (const v of Object.values(body)) if (v instanceof Uint8Array) n += v.byteLength;
  return n;
}
