/**
 * A private tracker (one given the network key) speaks only over PSK TLS: a plain P2P-CI
 * client gets a 400 with the reason, a plain p2pterm peer a native error line, then the
 * connection closes. An open tracker keeps serving plain P2P-CI.
 */
import type { Socket } from 'node:net';
import { acceptPrivate } from '../transport/private-accept.js';
import { oneLine, statusLine } from './p2p-ci-format.js';
import type { TrackerLog } from './peer-registry.js';
import { NATIVE_MAGIC } from './tracker-constants.js';

/** Waits for the first chunk (at most `stallMs`), then lets only key holders through to `onSecure`. */
export function privateTrackerDoor(
  raw: Socket,
  key: Buffer,
  stallMs: number,
  log: TrackerLog,
  onSecure: (socket: Socket) => void,
): void {
  raw.setTimeout(stallMs);
  raw.once('data', (first: Buffer) => {
    acceptPrivate(raw, first, {
      key,
      log,
      refusePlain: refuseTrackerPlain,
      onSecure: (tls) => {
        // From here the TLS socket carries the session's own idle bounds.
        raw.setTimeout(0);
        onSecure(tls);
      },
    });
  });
}

function refuseTrackerPlain(raw: Socket, first: Buffer, why: string): void {
  const head = first.toString('latin1').replace(/^[\r\n]+/, '');
  if (head.startsWith(NATIVE_MAGIC))
    return void raw.end(`${JSON.stringify({ id: null, ok: false, code: 'SECRET', message: why })}\n`);
  raw.end(`${statusLine(400)}\r\nReason: ${oneLine(why)}\r\n\r\n`);
}
