/**
 * Lookups on the memory transport with the last hop's vouch for its successor: on a settled
 * ring the owner costs no RPC of its own, and right after an owner crashes (its connections
 * gone, before any stabilization round noticed) no lookup names it.
 */
import test from 'ava';
import { successorIndex } from '../../src/sim/ring-check.js';
import { SimRing } from '../../src/sim/sim-ring.js';
import { spawnBetween } from '../helpers/spawn-between.js';
import type { NodeContext } from '../../src/dht/node-context.js';
import { stabilizeNowHandler } from '../../src/dht/handlers/stabilize-now.js';

const STABILIZE_MS = 500;

test('on a settled ring a lookup sends one RPC per hop: the last hop vouches for the owner', async (t) => {
  const ring = new SimRing({ seed: 71, stabilizeMs: STABILIZE_MS });
  await ring.addSequential(64);
  t.true((await ring.converge(60_000, { fingers: true })) >= 0);
  const ids = ring.live.map((n) => n.self.id).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let rpcs = 0;
  let hops = 0;
  for (let i = 0; i < 100; i++) {
    const r = await ring.settle(ring.live[i % ring.live.length]!.lookup(`vouch-${i}`));
    t.is(BigInt('0x' + r.owner.id), ids[successorIndex(ids, BigInt('0x' + r.key))]!);
    rpcs += r.rpcs;
    hops += r.hops;
  }
  t.true(hops > 100, `lookups walked (${hops} hops)`);
  t.is(rpcs, hops, 'no RPC beyond the hops');
  await ring.stop();
});

test('right after an owner crashes, lookups of its keys name its successor, never the dead node', async (t) => {
  const ring = new SimRing({ seed: 72, stabilizeMs: STABILIZE_MS });
  await ring.addSequential(32);
  t.true((await ring.converge(60_000, { fingers: true })) >= 0);
  const sorted = [...ring.live].sort((a, b) => (a.self.id < b.self.id ? -1 : 1));
  const victim = sorted[10]!;
  const next = sorted[11]!;
  // Keys the victim owns: found by their lookups before the crash (every vouch fresh then).
  const keys: string[] = [];
  for (let i = 0; keys.length < 5 && i < 2000; i++) {
    const r = await ring.settle(sorted[0]!.lookup(`own-${i}`));
    if (r.owner.address === victim.self.address) keys.push(`own-${i}`);
  }
  t.is(keys.length, 5);
  await ring.crash(victim);
  const askers = sorted.filter((n) => n !== victim && n !== next).slice(0, 6);
  const named = await ring.settle(Promise.all(askers.flatMap((a) => keys.map((k) => a.lookup(k)))));
  t.deepEqual([...new Set(named.map((r) => r.owner.address))], [next.self.address]);
  await ring.stop();
});

test('a lookup told it owns a key checks its own predecessor: a joiner the last hop missed owns it', async (t) => {
  const ring = new SimRing({ seed: 73, stabilizeMs: STABILIZE_MS });
  await ring.addSequential(16);
  t.true((await ring.converge(60_000, { fingers: true })) >= 0);
  const sorted = [...ring.live].sort((a, b) => (a.self.id < b.self.id ? -1 : 1));
  // A joiner between two neighbours P and A, which P does not hear of (paused, and cut off
  // while the joiner asks it to stabilize): A's predecessor is the joiner, P's successor A.
  let joiner = await ring.spawn();
  let at = -1;
  for (let tries = 0; at < 0 && tries < 500; tries++) {
    const id = joiner.self.id;
    at = sorted.findIndex((n, i) => i > 0 && sorted[i - 1]!.self.id < id && id < n.self.id);
    if (at < 0) joiner = await ring.spawn();
  }
  t.true(at > 0, 'a joiner id between two members');
  const [p, a] = [sorted[at - 1]!, sorted[at]!];
  p.stabilization.pause();
  const rest = ring.nodes.map((n) => n.self.address).filter((x) => x !== p.self.address);
  ring.network.partition([[p.self.address], rest]);
  await ring.settle(joiner.join(a.self.address));
  ring.network.heal();
  await ring.settle(new Promise((r) => setTimeout(r, 0)));
  t.is(a.snapshot().predecessor?.address, joiner.self.address, 'A heard of the joiner');
  t.is(p.snapshot().successors[0]?.address, a.self.address, 'P did not');
  const r = await ring.settle(a.lookupId(p.self.id + 1n));
  t.is(r.owner.address, joiner.self.address);
  await ring.stop();
});

test("a joiner's notify is answered once the node it displaced dropped its vouch: a lookup sent then names the joiner", async (t) => {
  const ring = new SimRing({ seed: 75, stabilizeMs: STABILIZE_MS });
  await ring.addSequential(16);
  t.true((await ring.converge(60_000, { fingers: true })) >= 0);
  const sorted = [...ring.live].sort((a, b) => (a.self.id < b.self.id ? -1 : 1));
  const [p, a] = [sorted[3]!, sorted[4]!];
  const joiner = await spawnBetween(ring, p, a);
  // P is slow to take A's request to stabilize (a busy process): 100 ms before it handles it.
  const ctx = (p as unknown as { ctx: NodeContext }).ctx;
  const handler = stabilizeNowHandler(ctx);
  p.handle('stabilize_now', async () => {
    await new Promise<void>((r) => ring.clock.setTimeout(() => r(), 100));
    return handler();
  });
  await ring.settle(joiner.join(a.self.address), 1);
  // Right when the join returned, P's own lookup of the joiner's id does not name A.
  const r = await ring.settle(p.lookupId(joiner.self.id), 1);
  t.is(r.owner.address, joiner.self.address);
  await ring.stop();
});
