/**
 * Experiments 1 and 2: how evenly consistent hashing spreads keys over nodes (Stoica et al.,
 * SIGCOMM 2001, §6.2, Figures 8 and 9).
 *
 * Ownership is computed with p2pterm's own ring math rather than by starting tens of thousands
 * of nodes: a key belongs to the first id at or after it on the ring (wrapping), exactly the
 * rule every ChordNode applies. Ids are SHA-1 (hashId) of:
 * - a host:            its address, `s<seed>-n<i>.sim:4000` (the scheme of real node ids);
 * - a host's virtual node k: the address itself for k = 0, `${address}#${k}` for k ≥ 1;
 * - a key:             `key-<seed>-<j>`.
 * With virtual nodes, a host's load is the sum of its virtual nodes' keys.
 */
import { hashId } from '../core/ring-math.js';
import { spread, type Spread } from './summary-stats.js';

export interface LoadPoint extends Spread {
  /** Total keys stored. */
  readonly keys: number;
  readonly nodes: number;
  readonly seed: number;
}

export interface VirtualPoint extends LoadPoint {
  /** Virtual nodes per host. */
  readonly virtualNodes: number;
  /** p99 / mean and p1 / mean. */
  readonly p99OverMean: number;
  readonly p1OverMean: number;
}

/** The address of host i in a load-balance experiment with this seed. */
export function hostAddress(seed: number, i: number): string {
  return `s${seed}-n${i}.sim:4000`;
}

/** The ring id of a host's k-th virtual node (k = 0 is the host's own id). */
export function virtualNodeId(address: string, k: number, bits: number): bigint {
  return hashId(k === 0 ? address : `${address}#${k}`, bits);
}

/** An id with its top 48 bits as a number (sorting on it first is exact and avoids most BigInt compares). */
export interface Point {
  readonly id: bigint;
  readonly hi: number;
  readonly index: number;
}

/** `id` as a Point (index: whose it is). */
export function point(id: bigint, bits: number, index: number): Point {
  return { id, hi: bits > 48 ? Number(id >> BigInt(bits - 48)) : Number(id), index };
}

const byId = (a: Point, b: Point) => a.hi - b.hi || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Key ids sorted by id, each with its generation index j. */
export function sortedKeys(seed: number, count: number, bits: number): Point[] {
  const keys: Point[] = new Array(count);
  for (let j = 0; j < count; j++) keys[j] = point(hashId(`key-${seed}-${j}`, bits), bits, j);
  return keys.sort(byId);
}

/** Virtual-node ids sorted by id, each with its host index. */
function sortedNodes(seed: number, hosts: number, perHost: number, bits: number): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < hosts; i++) {
    const address = hostAddress(seed, i);
    for (let k = 0; k < perHost; k++) out.push(point(virtualNodeId(address, k, bits), bits, i));
  }
  return out.sort(byId);
}

/**
 * The host owning each key, indexed by the key's generation index: one sweep over both
 * sorted lists (a key goes to the first node id ≥ it, wrapping to the smallest id).
 */
export function ownersOf(keys: readonly Point[], nodes: readonly Point[]): Int32Array {
  let size = 0;
  for (const k of keys) size = Math.max(size, k.index + 1);
  const owner = new Int32Array(size);
  let n = 0;
  for (const key of keys) {
    while (n < nodes.length && byId(nodes[n]!, key) < 0) n++;
    owner[key.index] = nodes[n === nodes.length ? 0 : n]!.index;
  }
  return owner;
}

export interface LoadBalanceOptions {
  /** Hosts (nodes) in the ring. */
  readonly nodes: number;
  /** Experiment 1: total key counts to report (each a prefix of one key sequence). */
  readonly keyCounts: readonly number[];
  /** Experiment 2: keys stored while varying virtual nodes. */
  readonly virtualKeys: number;
  /** Experiment 2: virtual nodes per host. */
  readonly virtualNodes: readonly number[];
  readonly seeds: readonly number[];
  readonly bits?: number;
}

export interface LoadBalanceResult {
  readonly keysPerNode: LoadPoint[];
  readonly virtualNodes: VirtualPoint[];
}

/** Experiments 1 and 2, per seed, sharing one sorted key sequence per seed. */
export function loadBalance(o: LoadBalanceOptions): LoadBalanceResult {
  const bits = o.bits ?? 160;
  const out: LoadBalanceResult = { keysPerNode: [], virtualNodes: [] };
  for (const seed of o.seeds) {
    const keys = sortedKeys(seed, Math.max(o.virtualKeys, ...o.keyCounts), bits);
    out.keysPerNode.push(...keysPerNode(seed, keys, o, bits));
    const subset = keys.filter((k) => k.index < o.virtualKeys);
    for (const v of o.virtualNodes) out.virtualNodes.push(virtualPoint(seed, subset, o.nodes, v, bits));
  }
  return out;
}

/** Experiment 1 for one seed: keys per node as the total grows. */
function keysPerNode(seed: number, keys: readonly Point[], o: LoadBalanceOptions, bits: number): LoadPoint[] {
  const owner = ownersOf(keys, sortedNodes(seed, o.nodes, 1, bits));
  const counts = new Float64Array(o.nodes);
  const out: LoadPoint[] = [];
  let j = 0;
  for (const total of [...o.keyCounts].sort((a, b) => a - b)) {
    for (; j < total; j++) counts[owner[j]!]!++;
    out.push({ keys: total, nodes: o.nodes, seed, ...spread(counts) });
  }
  return out;
}

/** Experiment 2 for one seed and one virtual-node count: keys per host. */
function virtualPoint(seed: number, keys: readonly Point[], hosts: number, v: number, bits: number): VirtualPoint {
  const counts = new Float64Array(hosts);
  const owner = ownersOf(keys, sortedNodes(seed, hosts, v, bits));
  for (const k of keys) counts[owner[k.index]!]!++;
  const s = spread(counts);
  return {
    keys: keys.length,
    nodes: hosts,
    seed,
    virtualNodes: v,
    ...s,
    p99OverMean: s.p99 / s.mean,
    p1OverMean: s.p1 / s.mean,
  };
}
