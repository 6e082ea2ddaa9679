import test from 'ava';
import type { ChordNode } from '../../src/dht/chord-node.js';
import { formOwnRing, joinVnodes, leaveVnodes, newVnodes, startVnodes, stopVnodes } from '../../src/dht/vnode-group.js';
import { SimRing } from '../../src/sim/sim-ring.js';
import { MemoryBlobStore } from '../../src/store/memory-blob-store.js';
import { RingStore } from '../../src/store/ring-store.js';
import { SharedBlobStore } from '../../src/store/shared-blob-store.js';
import { hostOf } from '../../src/wire/address.js';
import { checkLookups } from '../helpers/owners.js';

const V = 5;
const R = 3;
const keys = Array.from({ length: 40 }, (_, i) => `doc-${i}`);
const text = (k: string) => `value of ${k}`;
const bytes = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

/** One process: V virtual nodes on one memory endpoint, one shared blob store, one ring store each. */
interface Proc {
  readonly address: string;
  readonly nodes: ChordNode[];
  readonly stores: RingStore[];
  readonly blobs: MemoryBlobStore;
}

async function spawn(ring: SimRing, p: number): Promise<Proc> {
  const address = `p${p}.sim:4000`;
  const nodes = newVnodes({
    count: V,
    transport: (identity) => ring.network.transport(address, identity),
    clock: ring.clock,
    successors: ring.opts.successors,
    stabilizeMs: ring.opts.stabilizeMs,
  });
  await startVnodes(nodes);
  const blobs = new MemoryBlobStore();
  const shared = new SharedBlobStore(blobs);
  const stores = nodes.map((n) => new RingStore(n, { store: shared.view(), replicas: R }));
  for (const s of stores) s.start();
  ring.nodes.push(...nodes);
  return { address, nodes, stores, blobs };
}

/** 4 processes × 5 virtual nodes, joined one process after another, settled. */
async function fourProcesses(seed: number): Promise<{ ring: SimRing; procs: Proc[] }> {
  const ring = new SimRing({ seed, successors: R * V });
  const procs: Proc[] = [];
  for (let p = 0; p < 4; p++) {
    const proc = await spawn(ring, p);
    await ring.settle(p > 0 ? joinVnodes(proc.nodes, procs[0]!.address) : formOwnRing(proc.nodes));
    procs.push(proc);
  }
  if ((await ring.converge(120_000, { fingers: true })) < 0) throw new Error('the ring did not converge');
  return { ring, procs };
}

/** Processes whose shared store holds `key`. */
function processesHolding(procs: readonly Proc[], key: string): string[] {
  return procs.filter((p) => p.blobs.meta(key) !== null).map((p) => p.address);
}

async function readAll(ring: SimRing, procs: readonly Proc[]): Promise<string[]> {
  const bad: string[] = [];
  for (const p of procs) {
    for (const k of keys) {
      const v = await ring.settle(p.stores[keys.indexOf(k) % V]!.get(k)).then(decode, (e: Error) => e.message);
      if (v !== text(k)) bad.push(`${p.address} ${k}: ${v}`);
    }
  }
  return bad;
}

async function heal(ring: SimRing, procs: readonly Proc[]): Promise<void> {
  await ring.clock.advance(10 * 500);
  for (let round = 0; round < 6; round++) {
    let moved = 0;
    for (const s of procs.flatMap((p) => p.stores)) {
      const r = await ring.settle(s.maintain());
      moved += r.pushed + r.dropped + r.failed;
    }
    if (moved === 0) return;
  }
}

test('4 processes × 5 virtual nodes: one ordered ring of 20, every lookup finds the true owner', async (t) => {
  const { ring, procs } = await fourProcesses(31);
  const h = ring.health();
  t.is(h.nodes, 20);
  t.true(h.orderedRing);
  t.is(h.wrongSuccessors, 0);
  t.is(h.wrongPredecessors, 0);
  t.is(h.wrongFingers, 0);
  const addresses = procs.flatMap((p) => p.nodes.map((n) => n.self.address));
  t.deepEqual(addresses.slice(0, V), [
    'p0.sim:4000',
    'p0.sim:4000/1',
    'p0.sim:4000/2',
    'p0.sim:4000/3',
    'p0.sim:4000/4',
  ]);
  t.is(new Set(procs.flatMap((p) => p.nodes.map((n) => n.self.id))).size, 20, 'twenty distinct ids');
  const r = await checkLookups(ring, ring.live, ['alpha', 'beta', 'gamma', 'delta']);
  t.is(r.total, 80);
  t.is(r.wrong, 0);
  for (const p of procs) await stopVnodes(p.nodes);
});

test('copies of every key sit on r distinct processes; crashing a whole process loses nothing', async (t) => {
  const { ring, procs } = await fourProcesses(32);
  for (const [i, k] of keys.entries()) {
    const res = await ring.settle(procs[i % 4]!.stores[i % V]!.put(k, bytes(text(k))));
    t.is(new Set(res.holders.map((h) => hostOf(h.address))).size, R, `${k}: holders on ${R} processes`);
  }
  const onFewer = keys.filter((k) => processesHolding(procs, k).length < R);
  t.deepEqual(onFewer, [], 'every key is held by r processes');
  t.deepEqual(await readAll(ring, procs), []);

  const [victim] = procs.splice(2, 1);
  ring.network.crash(victim!.address);
  for (const s of victim!.stores) await s.stop();
  await stopVnodes(victim!.nodes);
  t.true((await ring.converge(120_000)) >= 0, 'the ring heals without the crashed process');
  t.is(ring.health({ fingers: false }).nodes, 15);
  t.deepEqual(await readAll(ring, procs), [], 'every key is still readable from every process');
  await heal(ring, procs);
  t.deepEqual(
    keys.filter((k) => processesHolding(procs, k).length < R),
    [],
    'maintenance brings every key back to r processes',
  );
  for (const p of procs) await stopVnodes(p.nodes);
});

test('a process leaving gracefully hands its keys on; hand-over between siblings keeps the bytes once', async (t) => {
  const { ring, procs } = await fourProcesses(33);
  for (const [i, k] of keys.entries()) await ring.settle(procs[i % 4]!.stores[0]!.put(k, bytes(text(k))));
  await heal(ring, procs);
  // Each process keeps one copy of a key at most, whichever of its virtual nodes holds it.
  for (const p of procs) {
    const held = p.stores.flatMap((s) => s.keys().entries.map((e) => e.key));
    t.is(held.length, new Set(held).size, `${p.address}: no key held by two of its virtual nodes`);
    t.is(p.blobs.counts().primary + p.blobs.counts().replica, held.length, `${p.address}: bytes kept once`);
  }
  const [leaver] = procs.splice(1, 1);
  await ring.settle(leaveVnodes(leaver!.nodes));
  t.true(
    leaver!.nodes.every((n) => !n.member),
    'every virtual node of the leaver is out of the ring',
  );
  for (const s of leaver!.stores) await s.stop();
  await stopVnodes(leaver!.nodes);
  t.true((await ring.converge(120_000)) >= 0);
  t.is(ring.health({ fingers: false }).nodes, 15);
  t.deepEqual(await readAll(ring, procs), []);
  for (const p of procs) await stopVnodes(p.nodes);
});
