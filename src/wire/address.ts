/**
 * Peer addresses as text: "host:port", with IPv6 literals in brackets ("[::1]:5500") wherever
 * an address is printed or sent, and host names allowed (resolved when a connection is made).
 */
import { isIPv6 } from 'node:net';
import { P2pError } from './errors.js';

/** "host:port" or "[v6]:port" into parts (the host without brackets). */
export function splitAddress(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(address);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535) throw new P2pError('BAD_ADDRESS', `not a host:port address: ${address}`);
  return { host: m[1] ?? m[2]!, port };
}

/** The address of `host` and `port`, an IPv6 literal in brackets. */
export function joinHostPort(host: string, port: number): string {
  return `${isIPv6(host) ? `[${host}]` : host}:${port}`;
}

/** Whether `host` means "every interface" (0.0.0.0 or ::). */
export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/**
 * What `--advertise` says: a host, "host:port", "[v6]" or "[v6]:port", or a bare IPv6 literal
 * (a host only: its colons are not a port). `port` is undefined when only the host is given.
 */
export function parseAdvertise(text: string): { host: string; port?: number } {
  if (isIPv6(text)) return { host: text };
  const bracketed = /^\[([^\]]+)\]$/.exec(text);
  if (bracketed && isIPv6(bracketed[1]!)) return { host: bracketed[1]! };
  if (/^[A-Za-z0-9.\-_]+$/.test(text)) return { host: text };
  const { host, port } = splitAddress(text);
  if (text.startsWith('[') && !isIPv6(host)) throw new P2pError('BAD_ADDRESS', `not an IPv6 address: ${host}`);
  return { host, port };
}
