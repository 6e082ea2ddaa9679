import test from 'ava';
import { SimRing } from '../../src/sim/sim-ring.js';
import { checkLookups } from '../helpers/owners.js';

const keys = ['alpha', 'beta', 'gamma'];

test('1,000 nodes with concurrent joins converge; every lookup finds the true owner', async (t) => {
  const ring = new SimRing({ seed: 11 });
  await ring.addSequential(100);
  const started = ring.clock.now();
  const joined = await ring.addConcurrent(900);
  t.log(`900 concurrent joins returned within ${ring.clock.now() - started} virtual ms`);
  t.true(
    joined.every((n) => n.snapshot({ fingers: false }).predecessor !== null),
    'each join returned once a node pointed at the joiner',
  );
  t.true(
    (await ring.converge(120_000, { fingers: true })) >= 0,
    'ring and fingers converge within 120 virtual seconds',
  );
  const h = ring.health();
  t.is(h.nodes, 1000);
  t.true(h.orderedRing);
  t.is(h.wrongSuccessors, 0);
  t.is(h.wrongPredecessors, 0);
  t.is(h.wrongFingers, 0);
  const r = await checkLookups(ring, ring.live, keys);
  t.is(r.total, 3000);
  t.is(r.wrong, 0);
  t.true(r.meanHops <= 0.5 * Math.log2(1000) + 0.5, `mean hops ${r.meanHops}`);
  await ring.stop();
});

test('25% of 1,000 nodes crash at once: the ring heals and every lookup succeeds', async (t) => {
  const ring = new SimRing({ seed: 12 });
  await ring.addSequential(1000);
  t.true((await ring.converge(60_000, { fingers: true })) >= 0);
  const victims = ring.live.filter((_, i) => i % 4 === 1);
  for (const v of victims) await ring.crash(v);
  t.false(ring.health({ fingers: false }).healthy);
  t.true((await ring.converge(120_000)) >= 0, 'successors and predecessors heal');
  const h = ring.health({ fingers: false });
  t.is(h.nodes, 750);
  t.true(h.healthy);
  const r = await checkLookups(ring, ring.live, keys);
  t.is(r.wrong, 0);
  t.true((await ring.converge(120_000, { fingers: true })) >= 0, 'fingers are repaired too');
  await ring.stop();
});

test('graceful leaves keep the ring whole at every step', async (t) => {
  const ring = new SimRing({ seed: 13 });
  await ring.addSequential(200);
  t.true((await ring.converge(60_000)) >= 0);
  for (let i = 0; i < 100; i++) {
    await ring.settle(ring.leave(ring.pick(ring.live)));
    const h = ring.health({ fingers: false });
    if (!h.healthy) return t.fail(`ring broken after leave #${i + 1}: ${JSON.stringify(h)}`);
  }
  t.is(ring.live.length, 100);
  const r = await checkLookups(ring, ring.live, keys);
  t.is(r.wrong, 0);
  await ring.stop();
});

test('naive routing walks the ring: O(N) hops, correct owners', async (t) => {
  const ring = new SimRing({ seed: 14, routing: 'naive' });
  await ring.addSequential(128);
  t.true((await ring.converge(60_000)) >= 0);
  t.is(ring.live[0]!.snapshot().fingers.length, 0, 'naive nodes keep no fingers');
  const r = await checkLookups(ring, ring.live.slice(0, 32), ['k1', 'k2', 'k3', 'k4']);
  t.is(r.wrong, 0);
  t.true(r.meanHops > 128 / 4 && r.meanHops < (3 * 128) / 4, `mean hops ${r.meanHops} is about N/2`);
  await ring.stop();
});

test('a node of the other routing mode is refused at join with a clear error', async (t) => {
  const ring = new SimRing({ seed: 15, routing: 'chord' });
  await ring.addSequential(4);
  const naive = new SimRing({ routing: 'naive' });
  // Put a naive node on the same network by hand.
  const { ChordNode } = await import('../../src/dht/chord-node.js');
  const stranger = new ChordNode({
    transport: (id) => ring.network.transport('stranger.sim:1', id),
    clock: ring.clock,
    routing: 'naive',
  });
  await stranger.start();
  const e = await t.throwsAsync(ring.settle(stranger.join(ring.live[0]!.self.address)));
  t.regex(e!.message, /chord routing/);
  t.regex(e!.message, /naive/);
  t.true(ring.health({ fingers: false }).healthy, 'the ring is untouched');
  await stranger.stop();
  await ring.stop();
  await naive.stop();
});

test('a joining node whose id is taken gets a clear error and the ring stays intact', async (t) => {
  const ring = new SimRing({ seed: 16, bits: 4 });
  const seen = new Map<bigint, string>();
  let clash = null;
  for (let i = 0; i < 40 && !clash; i++) {
    const n = await ring.spawn();
    if (seen.size === 0) seen.set(n.self.id, n.self.address);
    else if (seen.has(n.self.id)) clash = n;
    else {
      await ring.settle(n.join([...seen.values()][0]!));
      seen.set(n.self.id, n.self.address);
    }
  }
  t.truthy(clash, 'found two addresses with the same 4-bit id');
  const e = await t.throwsAsync(ring.settle(clash!.join([...seen.values()][0]!)));
  t.regex(e!.message, /already taken/);
  await clash!.stop();
  t.true(ring.health({ fingers: false }).healthy || (await ring.converge(10_000)) >= 0);
  await ring.stop();
});

test('with latency and 2% message loss the ring still converges', async (t) => {
  const ring = new SimRing({ seed: 17, latencyMs: 5 });
  await ring.settle(ring.addSequential(60));
  ring.network.loss = 0.02;
  t.true((await ring.converge(120_000)) >= 0);
  ring.network.loss = 0;
  const r = await checkLookups(ring, ring.live.slice(0, 20), keys);
  t.is(r.wrong, 0);
  await ring.stop();
});

test('lookups report their hop-by-hop path and stabilization rounds are published', async (t) => {
  const ring = new SimRing({ seed: 18, bits: 32 });
  await ring.addSequential(64);
  await ring.converge(60_000, { fingers: true });
  const node = ring.live[5]!;
  const rounds: boolean[] = [];
  node.bus.on('stabilize:round', (o) => rounds.push(o.healthy));
  const paths: number[] = [];
  node.bus.on('lookup:done', (l) => paths.push(l.path.length));
  const r = await ring.settle(node.lookup('some-file.txt'));
  t.is(r.path.length, r.hops + 1);
  t.is(r.path[0]!.address, node.self.address);
  t.deepEqual(paths, [r.hops + 1]);
  await ring.clock.advance(1500);
  t.true(rounds.length >= 2);
  t.true(rounds.every(Boolean), 'a settled ring reports itself healthy');
  await ring.stop();
});

test('a partition makes requests across it time out; after healing the ring is whole again', async (t) => {
  const ring = new SimRing({ seed: 19, bits: 32 });
  await ring.addSequential(20);
  t.true((await ring.converge(30_000)) >= 0);
  const [a, b] = [ring.live[0]!, ring.live[1]!];
  ring.network.partition([[a.self.address], ring.live.slice(1).map((x) => x.self.address)]);
  const e = await t.throwsAsync(ring.settle(a.request(b.self.address, 'ping', {})));
  t.regex(e!.message, /no answer within/);
  ring.network.heal();
  t.truthy(await ring.settle(a.request(b.self.address, 'ping', {})));
  t.true((await ring.converge(60_000)) >= 0, 'the ring converges again after the partition heals');
  await ring.stop();
});

test('a settled ring backs off to 8x the interval; a crash brings its neighbours back to full rate and the ring heals', async (t) => {
  const ring = new SimRing({ seed: 21, backoff: 8, stabilizeMs: 500 });
  await ring.addSequential(64);
  t.true((await ring.converge(60_000, { fingers: true })) >= 0);
  let rounds = 0;
  const counting = ring.live.map((n) => n.bus.on('stabilize:round', () => void rounds++));
  await ring.clock.advance(40_000); // quiet rounds double the wait: 500, 1000, 2000, 4000 ms
  t.true(
    ring.live.every((n) => n.stabilization.effectiveMs() === 4000),
    'every node settled at 8x',
  );
  rounds = 0;
  await ring.clock.advance(40_000);
  // 64 nodes over 40 s at one round per 4 s (not 80 per node at 500 ms).
  t.true(rounds <= 64 * 11, `${rounds} rounds in 40 s`);
  t.true(rounds >= 64 * 9, `${rounds} rounds in 40 s`);
  for (const off of counting) off();
  const victim = ring.live[10]!;
  await ring.crash(victim);
  const healedIn = await ring.converge(60_000);
  t.true(healedIn >= 0, 'the ring heals');
  t.true(healedIn <= 12_000, `healed in ${healedIn} virtual ms`);
  t.true(
    ring.live.some((n) => n.stabilization.effectiveMs() === 500),
    'nodes that saw the change run at full rate again',
  );
  const r = await checkLookups(ring, ring.live, keys);
  t.is(r.wrong, 0);
  await ring.stop();
});
