/**
 * Ring size as one node can tell: exact when its successor list wraps around to itself, reaches
 * its predecessor, or holds fewer than r nodes while no predecessor is known (the list is built
 * from the successor's own list and stops at this node, so a short list is the whole ring);
 * otherwise estimated from how much of the id space its successors cover (N ≈ r · 2^m / span).
 */
import type { NodeSnapshot } from '../dht/chord-node.js';

export function estimateRingSize(
  snap: Pick<NodeSnapshot, 'id' | 'address' | 'bits' | 'successors' | 'inRing' | 'predecessor' | 'r'>,
): { n: number; exact: boolean } {
  if (!snap.inRing) return { n: 0, exact: true };
  const seen = new Set<string>();
  for (const s of snap.successors) {
    if (s.address === snap.address) return { n: seen.size + 1, exact: true };
    seen.add(s.address);
  }
  if (seen.size === 0) return { n: 1, exact: true };
  const last = snap.successors[snap.successors.length - 1]!;
  const pred = snap.predecessor;
  // The list reaches round to my predecessor: it holds the whole ring.
  if (pred && last.address === pred.address) return { n: seen.size + 1, exact: true };
  // A short list with no predecessor to contradict it (just joined, or the predecessor left).
  if (!pred && snap.r !== undefined && seen.size < snap.r) return { n: seen.size + 1, exact: true };
  // A short list that misses the predecessor is still filling in: at least one node more.
  const floor = pred && !seen.has(pred.address) ? seen.size + 2 : seen.size + 1;
  const size = 1n << BigInt(snap.bits);
  const span = (BigInt('0x' + last.id) - BigInt('0x' + snap.id) + size) % size || size;
  // Scale both to floats through 2^24 so 160-bit ids do not overflow Number.
  const frac = Number((span << 24n) / size) / 2 ** 24;
  return { n: Math.max(floor, Math.round(seen.size / Math.max(frac, 1e-12))), exact: false };
}
