/**
 * Identifier arithmetic on an m-bit Chord ring (ids are BigInt in [0, 2^m)).
 *
 * Invariants:
 * - every id handled here is already reduced modulo 2^m;
 * - intervals wrap around zero: (a, b] with a >= b covers the ring's end and start,
 *   and (a, a] is the whole ring (a single node owns every key).
 */
import { createHash } from 'node:crypto';

export const MAX_BITS = 160;

/** The size of the identifier space, 2^bits. */
export function ringSize(bits: number): bigint {
  return 1n << BigInt(bits);
}

export function assertBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < 1 || bits > MAX_BITS) {
    throw new RangeError(`bits must be an integer in 1..${MAX_BITS}, got ${bits}`);
  }
}

/** SHA-1 of the UTF-8 string, big-endian, modulo 2^bits. */
export function hashId(text: string, bits: number): bigint {
  const digest = createHash('sha1').update(text, 'utf8').digest('hex');
  return BigInt('0x' + digest) % ringSize(bits);
}

/** Lowercase hex without prefix. */
export function idToHex(id: bigint): string {
  return id.toString(16);
}

export function hexToId(hex: string): bigint {
  if (!/^[0-9a-f]{1,40}$/i.test(hex)) throw new RangeError(`not a hex id: ${hex.slice(0, 48)}`);
  return BigInt('0x' + hex);
}

/** Clockwise distance from a to b. */
export function distance(a: bigint, b: bigint, bits: number): bigint {
  const size = ringSize(bits);
  return (((b - a) % size) + size) % size;
}

/** x in (a, b), wrapping; (a, a) is the ring without a. */
export function inOpen(x: bigint, a: bigint, b: bigint): boolean {
  if (a < b) return a < x && x < b;
  return x > a || x < b ? x !== a : false;
}

/** x in (a, b], wrapping; (a, a] is the whole ring. */
export function inHalfOpen(x: bigint, a: bigint, b: bigint): boolean {
  if (a < b) return a < x && x <= b;
  return x > a || x <= b;
}

/** Start of finger i (0-based): (n + 2^i) mod 2^bits. */
export function fingerStart(n: bigint, i: number, bits: number): bigint {
  return (n + (1n << BigInt(i))) % ringSize(bits);
}
