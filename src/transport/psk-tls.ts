/**
 * TLS 1.3 with a pre-shared key (Node's OpenSSL): both ends prove they hold the network key
 * (the PSK binder and the Finished messages), and every byte after the handshake is
 * encrypted and authenticated with AES-128-GCM. No certificates.
 */
import type { OnReadOpts, Socket } from 'node:net';
import {
  type ConnectionOptions,
  connect,
  createSecureContext,
  type SecureContext,
  TLSSocket,
  type TLSSocketOptions,
} from 'node:tls';

/** The identity both ends name; the key, not the identity, is what is checked. */
const PSK_IDENTITY = 'p2pterm-network-v1';

const TLS_OPTIONS = {
  minVersion: 'TLSv1.3',
  maxVersion: 'TLSv1.3',
  // A SHA-256 suite: OpenSSL uses such a PSK for TLS 1.3 only with one.
  ciphers: 'TLS_AES_128_GCM_SHA256',
} as const;

/**
 * One context for every connection, both ways: building one (OpenSSL's SSL_CTX) costs about
 * as much CPU as the PSK handshake itself, and nothing in it depends on the peer or the key
 * (the key is given per connection, by the PSK callbacks).
 */
let context: SecureContext | null = null;
function sharedContext(): SecureContext {
  context ??= createSecureContext(TLS_OPTIONS);
  return context;
}

/** Does a connection's first chunk start a TLS handshake (a handshake record, version 3.x)? */
export function looksLikeTls(first: Buffer): boolean {
  return first.length >= 2 && first[0] === 0x16 && first[1] === 0x03;
}

/** The one sentence both sides log when the other end lacks the network's secret. */
export function secretRefusal(peer: string): string {
  return `peer ${peer} does not share this network's secret`;
}

/**
 * The server side of a PSK TLS connection on an accepted socket whose `first` chunk was
 * already read (it is put back and fed to TLS).
 */
export function pskAccept(raw: Socket, first: Buffer, key: Buffer): TLSSocket {
  raw.pause();
  raw.unshift(first);
  // The server's pskCallback is honoured by TLSSocket, though @types/node lists it only for tls.Server.
  const options: TLSSocketOptions & { pskCallback(socket: TLSSocket, identity: string): Buffer | null } = {
    ...TLS_OPTIONS,
    secureContext: sharedContext(),
    isServer: true,
    pskCallback: (_socket, identity) => (identity === PSK_IDENTITY ? key : null),
  };
  return new TLSSocket(raw, options);
}

/**
 * Dials `host:port` with PSK TLS (no Nagle delay: requests are small and latency-bound).
 * With `onread`, decrypted bytes go to its callback, in its buffer, instead of 'data' events.
 */
export function pskConnect(host: string, port: number, key: Buffer, onread?: OnReadOpts): TLSSocket {
  // tls.connect honours net's `onread` (Node's docs), though @types/node leaves it out here.
  const options: ConnectionOptions & { onread?: OnReadOpts } = {
    ...TLS_OPTIONS,
    secureContext: sharedContext(),
    host,
    port,
    onread,
    // No certificate to check: the PSK handshake itself authenticates the server.
    checkServerIdentity: () => undefined,
    pskCallback: () => ({ psk: key, identity: PSK_IDENTITY }),
  };
  const socket = connect(options);
  socket.setNoDelay(true);
  return socket;
}

/**
 * A socket error in words: a failed or cut TLS handshake means the other end does not hold
 * this network's key (or is not on a private network at all).
 */
export function describeSocketError(peer: string, e: Error): string {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  if (code.startsWith('ERR_SSL_') || /SSL routines/.test(e.message))
    return `${secretRefusal(peer)} (TLS: ${tlsReason(e)})`;
  if (/before secure TLS connection/.test(e.message))
    return `${secretRefusal(peer)} (it closed the connection during the TLS handshake)`;
  return e.message;
}

function tlsReason(e: Error): string {
  const m = /:SSL routines:[^:]*:([^:]+):/.exec(e.message);
  return m?.[1] ?? (e as NodeJS.ErrnoException).code ?? e.message;
}
