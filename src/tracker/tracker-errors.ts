/** Tracker errors with stable codes; the peer's faults are distinct from ours. */
import { P2pError } from '../wire/errors.js';

/** P2P-CI status codes the tracker and upload server answer with. */
export type P2pCiStatus = 200 | 400 | 404 | 505;

/**
 * A P2P-CI request the remote side got wrong. `status` is what we answer (400 or 505);
 * `fatal` means the framing itself is broken (a limit was hit), so the connection is closed;
 * `inRequestLine` means no header could have made the request valid.
 */
export class P2pCiParseError extends P2pError {
  constructor(
    readonly status: 400 | 505,
    message: string,
    readonly fatal = false,
    readonly inRequestLine = false,
  ) {
    super(status === 505 ? 'P2PCI_VERSION' : fatal ? 'P2PCI_LIMIT' : 'P2PCI_BAD_REQUEST', message);
  }
}

/** The tracker (or an upload server) answered a request with an error. */
export class TrackerRemoteError extends P2pError {}

/** The tracker client is not connected, or the connection closed while a request was pending. */
export class TrackerUnavailableError extends P2pError {
  constructor(message: string) {
    super('TRACKER_UNAVAILABLE', message);
  }
}

/** A tracker request had no answer within its time bound. */
export class TrackerTimeoutError extends P2pError {
  constructor(type: string, ms: number) {
    super('TIMEOUT', `tracker ${type} had no answer within ${ms} ms`);
  }
}
