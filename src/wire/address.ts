/**
 * Peer addresses as text: "host:port", with IPv6 literals in brackets ("[::1]:5500") wherever
 * an address is printed or sent, and host names allowed (resolved when a connection is made).
 *
 * Virtual nodes: a process running V of them (`--vnodes V`) is one "host:port"; its virtual node
 * i ≥ 1 is known as "host:port/i" ("[::1]:5500/2"), virtual node 0 as the plain "host:port", so
 * one virtual node is exactly a node of old. Each has the id SHA-1 of its own address string.
 */
import { isIPv6 } from 'node:net';
import { MAX_VNODES } from '../core/constants.js';
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

/** A virtual node's address: "host:port" and its index (0 for the plain address). */
export interface VnodeAddress {
  /** The process's "host:port" (what is dialled). */
  readonly host: string;
  /** 0 for "host:port", i for "host:port/i". */
  readonly vnode: number;
}

/**
 * "host:port" or "host:port/i" (1 ≤ i < MAX_VNODES, no leading zero: one virtual node has one
 * address) into its parts; BAD_ADDRESS otherwise.
 */
export function splitVnode(address: string): VnodeAddress {
  const slash = address.lastIndexOf('/');
  if (slash < 0) return (splitAddress(address), { host: address, vnode: 0 });
  const host = address.slice(0, slash);
  const index = address.slice(slash + 1);
  const vnode = Number(index);
  if (!/^[1-9]\d{0,3}$/.test(index) || vnode >= MAX_VNODES)
    throw new P2pError('BAD_ADDRESS', `not a virtual node index (1..${MAX_VNODES - 1}): ${address}`);
  splitAddress(host);
  return { host, vnode };
}

/** The address of virtual node `vnode` of the process at `host` ("host:port"). */
export function vnodeAddress(host: string, vnode: number): string {
  if (!Number.isInteger(vnode) || vnode < 0 || vnode >= MAX_VNODES)
    throw new P2pError('BAD_ADDRESS', `virtual node index must be in 0..${MAX_VNODES - 1}, got ${vnode}`);
  return vnode === 0 ? host : `${host}/${vnode}`;
}

/** The "host:port" of the process a (virtual node's) address belongs to; the text itself if it has no index. */
export function hostOf(address: string): string {
  const slash = address.lastIndexOf('/');
  return slash < 0 ? address : address.slice(0, slash);
}
