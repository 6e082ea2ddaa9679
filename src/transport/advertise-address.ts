/**
 * Bind is not advertise: a node listens on one address (often a wildcard) and is known by
 * another, the one peers can dial. This picks the advertised address.
 */
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { isWildcard, joinHostPort, parseAdvertise } from '../wire/address.js';

/** Documentation addresses (RFC 5737, RFC 3849): routed by the default route, never contacted. */
const PROBE = { 4: '192.0.2.1', 6: '2001:db8::1' } as const;

/**
 * The local address the kernel would send from over the default route (of IPv4 or IPv6), or
 * null when there is no such route. A UDP "connect" only picks a route: no packet is sent.
 */
export function defaultRouteAddress(family: 4 | 6): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = createSocket(family === 4 ? 'udp4' : 'udp6');
    const done = (address: string | null) => {
      socket.close();
      resolve(address);
    };
    // No route (ENETUNREACH) or no IPv6 at all: that is the answer, not a failure.
    socket.on('error', () => done(null));
    socket.connect(53, PROBE[family], () => done(socket.address().address));
  });
}

export interface Advertised {
  /** "host:port" peers are told, an IPv6 host in brackets. */
  readonly address: string;
  /** Why this address, when it was picked rather than given (for the log), else null. */
  readonly picked: string | null;
}

/**
 * The address to advertise for a node bound to `host` on `boundPort`: `advertise` when given
 * (its port defaults to the bound one); the bound host when it is not a wildcard; else the
 * address of the default route's interface (IPv6 first when bound to "::"), or loopback
 * when the machine has no default route.
 */
export async function advertisedAddress(host: string, boundPort: number, advertise?: string): Promise<Advertised> {
  if (advertise) {
    const a = parseAdvertise(advertise);
    return { address: joinHostPort(a.host, a.port ?? boundPort), picked: null };
  }
  if (!isWildcard(host)) return { address: joinHostPort(host, boundPort), picked: null };
  const v6 = isIPv6(host.replace(/^\[|\]$/g, ''));
  const found = (v6 ? await defaultRouteAddress(6) : null) ?? (await defaultRouteAddress(4));
  if (found) return { address: joinHostPort(found, boundPort), picked: "the address of the default route's interface" };
  const lo = v6 ? '::1' : '127.0.0.1';
  return { address: joinHostPort(lo, boundPort), picked: 'no default route: loopback only' };
}
