/**
 * The peers a node lost: nodes it found dead (a successor, predecessor or routing hop that did
 * not answer). The list is what a partitioned ring needs to find its other half again: the
 * node probes a few entries now and then, and a reply from one that belongs to another ring
 * starts a merge (Shafaat, Ghodsi and Haridi's "ring unification", 2009). It is also the
 * node's "believed dead" set: lookups route around its entries until a probe finds them again.
 *
 * Invariants:
 * - at most LOST_PEERS_MAX entries, one per address; the oldest loss is dropped first;
 * - an entry older than LOST_PEER_TTL_MS is aged out the next time probes are picked;
 * - an entry is probed at most once per its own interval, which doubles after every probe
 *   that found nothing, from PROBE_FIRST_MS up to PROBE_MAX_MS.
 */
import type { NodeRef } from './node-ref.js';

/** Most lost peers a node remembers (a partition that cut off more is found through any one). */
export const LOST_PEERS_MAX = 32;
/** A lost peer is forgotten after 30 min: partitions longer than that are rejoined by hand. */
export const LOST_PEER_TTL_MS = 30 * 60_000;
/** The first probe of a lost peer waits 2 s (a crashed node is usually still down by then). */
export const PROBE_FIRST_MS = 2_000;
/** Probes of one lost peer are at most 16 s apart, so a healed partition is noticed within that. */
export const PROBE_MAX_MS = 16_000;
/** Lost peers probed per probing pass at most. */
export const PROBES_PER_PASS = 3;

export interface LostPeer {
  readonly node: NodeRef;
  readonly lostAt: number;
  /** When this entry may be probed next (ms). */
  nextProbeAt: number;
  /** The wait after the next probe that finds nothing (ms). */
  probeGapMs: number;
}

/** Records `node` as lost at `now` (a repeated loss keeps its probe schedule). */
export function noteLost(list: LostPeer[], node: NodeRef, now: number): void {
  if (list.some((p) => p.node.address === node.address)) return;
  list.push({ node, lostAt: now, nextProbeAt: now + PROBE_FIRST_MS, probeGapMs: PROBE_FIRST_MS });
  if (list.length > LOST_PEERS_MAX) list.shift();
}

/** `address` was heard from again: it is no longer lost. True when it was. */
export function noteFound(list: LostPeer[], address: string): boolean {
  const i = list.findIndex((p) => p.node.address === address);
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
}

/** Whether `address` is believed dead (lost and not heard from since). */
export function isLost(list: readonly LostPeer[], address: string): boolean {
  return list.some((p) => p.node.address === address);
}

/**
 * Ages the list out and picks up to `k` entries due for a probe, earliest due first; each
 * picked entry's next probe is pushed back (doubling gap). Returns the nodes to probe.
 */
export function dueProbes(list: LostPeer[], now: number, k = PROBES_PER_PASS): NodeRef[] {
  for (let i = list.length - 1; i >= 0; i--) if (now - list[i]!.lostAt > LOST_PEER_TTL_MS) list.splice(i, 1);
  const due = list.filter((p) => p.nextProbeAt <= now).sort((a, b) => a.nextProbeAt - b.nextProbeAt);
  return due.slice(0, k).map((p) => {
    p.nextProbeAt = now + p.probeGapMs;
    p.probeGapMs = Math.min(PROBE_MAX_MS, p.probeGapMs * 2);
    return p.node;
  });
}

/** When the next probe is due, or null when nothing is lost. */
export function nextProbeAt(list: readonly LostPeer[]): number | null {
  let at: number | null = null;
  for (const p of list) if (at === null || p.nextProbeAt < at) at = p.nextProbeAt;
  return at;
}
