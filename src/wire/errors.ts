/** Errors with a stable `code`; the peer's faults are distinct from ours. */
export class P2pError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
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

export function errorCode(e: unknown): string {
  return e instanceof P2pError ? e.code : 'INTERNAL';
}
