/** Errors with a stable `code`; the peer's faults are distinct from ours. */
export class P2pError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bytes from the network that are not a valid frame or message. */
export class DecodeError extends P2pError {
  constructor(message: string) {
    super('DECODE', message);
  }
}

/** The peer answered a request with an error. */
export class RemoteError extends P2pError {}

/** No answer within the request's time bound. */
export class RpcTimeoutError extends P2pError {
  constructor(to: string, type: string, ms: number) {
    super('TIMEOUT', `${type} to ${to} had no answer within ${ms} ms`);
  }
}

/** The peer could not be reached, refused us, or the connection closed mid-request. */
export class UnreachableError extends P2pError {
  constructor(to: string, why: string) {
    super('UNREACHABLE', `${to}: ${why}`);
  }
}

/** The peer runs an incompatible ring (other routing mode, id width or protocol version). */
export class IncompatiblePeerError extends P2pError {
  constructor(message: string) {
    super('INCOMPATIBLE', message);
  }
}

/** The caller gave up waiting, through its AbortSignal. */
export class AbortedError extends P2pError {
  constructor(what: string, cause?: unknown) {
    super('ABORTED', `${what} aborted`, cause === undefined ? undefined : { cause });
  }
}

/**
 * What to reject with once `signal` has aborted: the caller's own reason when it is an Error
 * (a component's STOPPED, say), else an ABORTED error naming what was waited for. The default
 * reasons (`AbortError`, `TimeoutError` DOMExceptions) carry no stable code, so they become ABORTED.
 */
export function abortReason(signal: AbortSignal, what = 'operation'): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name !== 'AbortError' && reason.name !== 'TimeoutError') return reason;
  return new AbortedError(what, reason);
}

/** Rejects with `abortReason` as soon as `signal` aborts; `p` runs on (to its own bound). */
export function raceAbort<T>(p: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) {
    p.catch(() => undefined); // the caller has given up on `p`; its outcome no longer matters
    return Promise.reject(abortReason(signal, what));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal, what));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export function errorCode(e: unknown): string {
  return e instanceof P2pError ? e.code : 'INTERNAL';
}

/**
 * Whether `e` is a peer's BUSY answer: it is alive and refused this request for now (over a
 * per-peer or node-wide limit). Callers try later or elsewhere; they never take it as dead.
 */
export function isBusy(e: unknown): boolean {
  return e instanceof RemoteError && e.code === 'BUSY';
}
