/**
 * A p2pterm ring spread over the hosts of a NetBed: a tracker on host 0, one node per other
 * host, every node listening on the wildcard address and known by its host's address. Used by
 * the namespace tests and the namespace-bed benchmark.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { hashId } from '../../src/core/ring-math.js';
import { successorIndex } from '../../src/sim/ring-check.js';
import { hostName, type HostProc, type NetBed, type NetHost } from './netns.js';

export const NODE_PORT = 5500;
export const TRACKER_PORT = 7734;

export type BedNode = HostProc & { readonly id: string; readonly address: string };

export interface BedRingOptions {
  /** Folder for each node's shared folder and data, and the tracker's database. */
  readonly root: string;
  readonly bits: number;
  /** Extra `p2pterm node` flags for every node. */
  readonly nodeArgs?: readonly string[];
  /** Hosts whose node listens on `::` (and so is known by its IPv6 address). */
  readonly ipv6Hosts?: readonly number[];
}

export interface BedRing {
  readonly tracker: HostProc;
  readonly nodes: BedNode[];
}

/** Starts the tracker on host 0 and a node on every other host (joining through host 1 by name). */
export async function startBedRing(bed: NetBed, o: BedRingOptions): Promise<BedRing> {
  const [trackerHost, first, ...rest] = bed.hosts;
  if (!trackerHost || !first) throw new Error('a bed ring needs at least two hosts');
  const db = join(o.root, 'tracker.db');
  const tracker = await bed.start(trackerHost, [
    'tracker',
    '--host',
    '0.0.0.0',
    '--port',
    `${TRACKER_PORT}`,
    '--db',
    db,
  ]);
  const nodes = [await startBedNode(bed, first, o)];
  // The others start together (each process start costs seconds); each joins through host 1's name.
  nodes.push(...(await Promise.all(rest.map((h) => startBedNode(bed, h, o, `${hostName(first)}:${NODE_PORT}`)))));
  return { tracker, nodes };
}

export async function startBedNode(bed: NetBed, h: NetHost, o: BedRingOptions, join_?: string): Promise<BedNode> {
  const dir = join(o.root, `dir-${h.index}`);
  mkdirSync(dir, { recursive: true });
  const wildcard = o.ipv6Hosts?.includes(h.index) ? '::' : '0.0.0.0';
  const args = ['node', '--headless', '--host', wildcard, '--port', `${NODE_PORT}`, '--bits', `${o.bits}`];
  args.push('--dir', dir, '--data', join(o.root, `data-${h.index}`), '--tracker', `host0:${TRACKER_PORT}`);
  if (join_) args.push('--join', join_);
  const p = await bed.start(h, [...args, ...(o.nodeArgs ?? [])]);
  return Object.assign(p, { id: p.listening.id as string, address: p.listening.address as string });
}

const ascending = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);

/** Sorted ids of `nodes`. */
export function ringIds(nodes: readonly BedNode[]): bigint[] {
  return nodes.map((n) => BigInt(`0x${n.id}`)).sort(ascending);
}

/** The node among `nodes` that owns `key`. */
export function trueOwner(nodes: readonly BedNode[], key: string, bits: number): bigint {
  const ids = ringIds(nodes);
  return ids[successorIndex(ids, hashId(key, bits))]!;
}

/** Each node's address, successor and predecessor as it reports them (for a failing test's message). */
export async function ringPointers(nodes: readonly BedNode[]): Promise<string> {
  const lines: string[] = [];
  for (const n of nodes) {
    const s = await n.cmd('state');
    lines.push(`${n.address}: succ ${s.successors?.[0]?.address ?? 'none'}, pred ${s.predecessor?.address ?? 'none'}`);
  }
  return lines.join('; ');
}

/** Whether `nodes` form exactly one ring: every successor and predecessor is the right one. */
export async function ringHealthy(nodes: readonly BedNode[]): Promise<boolean> {
  const ids = ringIds(nodes);
  for (const n of nodes) {
    const s = await n.cmd('state');
    const me = successorIndex(ids, BigInt(`0x${n.id}`));
    if (!s.successors?.[0] || BigInt(`0x${s.successors[0].id}`) !== ids[(me + 1) % ids.length]) return false;
    if (!s.predecessor || BigInt(`0x${s.predecessor.id}`) !== ids[(me - 1 + ids.length) % ids.length]) return false;
  }
  return true;
}
