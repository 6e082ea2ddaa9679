/**
 * The door of a server on a private network: an inbound connection must open with a PSK TLS
 * handshake under the network key. Anything else (a plain p2pterm hello, a P2P-CI request) is
 * answered with the reason in its own protocol and closed; a failed handshake is logged with
 * the same reason. Both sides thus learn why, and nothing else is read from such a peer.
 */
import type { Socket } from 'node:net';
import { HELLO_TIMEOUT_MS } from '../core/constants.js';
import type { LogLevel } from '../core/log.js';
import { encodeFrame } from '../wire/codec.js';
import { describeSocketError, looksLikeTls, pskAccept, secretRefusal } from './psk-tls.js';

export interface PrivateDoor {
  readonly key: Buffer;
  readonly log: (level: LogLevel, message: string) => void;
  /** Answers an unencrypted first chunk with `why` in its own protocol (default: p2pterm or P2P-CI). */
  readonly refusePlain?: (raw: Socket, first: Buffer, why: string) => void;
  /** Takes over a connection once its handshake proved the peer holds the key. */
  readonly onSecure: (socket: Socket) => void;
}

/** Handles an inbound connection whose first chunk is `first`. */
export function acceptPrivate(raw: Socket, first: Buffer, door: PrivateDoor): void {
  const label = `${raw.remoteAddress}:${raw.remotePort}`;
  if (!looksLikeTls(first)) return refuse(raw, first, label, door);
  const tls = pskAccept(raw, first, door.key);
  let secure = false;
  const timer = setTimeout(() => tls.destroy(), HELLO_TIMEOUT_MS);
  timer.unref();
  tls.once('secure', () => {
    secure = true;
    clearTimeout(timer);
    door.onSecure(tls);
  });
  tls.on('error', (e) => {
    clearTimeout(timer);
    // After the handshake the connection's owner reports its own errors.
    if (!secure) door.log('warn', `refusing ${label}: ${describeSocketError(label, e)}`);
    tls.destroy();
  });
}

function refuse(raw: Socket, first: Buffer, label: string, door: PrivateDoor): void {
  const why = `${secretRefusal(label)}: this is a private network, it accepts only encrypted connections`;
  door.log('warn', `refusing ${label}: ${secretRefusal(label)} (it spoke unencrypted)`);
  raw.on('error', (e) => door.log('debug', `refused connection ${label}: ${e.message}`));
  (door.refusePlain ?? refuseNodeOrP2pCi)(raw, first, why);
}

/** A p2pterm peer gets a `refused` frame; a P2P-CI client a status line with the reason. */
export function refuseNodeOrP2pCi(raw: Socket, first: Buffer, why: string): void {
  if (first.subarray(0, 4).toString('latin1') === 'GET ')
    return void raw.end(`P2P-CI/1.0 400 Bad Request\r\nReason: ${why}\r\n\r\n`);
  raw.end(encodeFrame({ kind: 'refused', code: 'SECRET', message: why }));
}
