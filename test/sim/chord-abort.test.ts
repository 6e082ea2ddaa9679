import test from 'ava';
import { SimRing } from '../../src/sim/sim-ring.js';
import { errorCode } from '../../src/wire/errors.js';

/** Lets pending promise work run without moving virtual time. */
const tick = () => new Promise((r) => setImmediate(r));

test('an aborted join through an unreachable node rejects with ABORTED and leaves the node alone', async (t) => {
  const ring = new SimRing({ seed: 31 });
  await ring.addSequential(4);
  const dead = ring.live[0]!;
  await ring.crash(dead);
  const fresh = await ring.spawn();
  const ac = new AbortController();
  const joining = fresh.join(dead.self.address, { signal: ac.signal });
  await tick();
  ac.abort();
  const e = await t.throwsAsync(joining);
  t.is(errorCode(e), 'ABORTED');
  const snap = fresh.snapshot({ fingers: false });
  t.deepEqual(
    snap.successors.map((n) => n.address),
    [fresh.self.address],
    'still a ring of one',
  );
  t.is(snap.predecessor, null);
  await ring.stop();
});

test('a signal aborted before the call rejects join, lookup and leave at once', async (t) => {
  const ring = new SimRing({ seed: 32 });
  const [a, b] = await ring.addSequential(2);
  const fresh = await ring.spawn();
  const signal = AbortSignal.abort();
  t.is(errorCode(await t.throwsAsync(fresh.join(a!.self.address, { signal }))), 'ABORTED');
  t.is(errorCode(await t.throwsAsync(b!.lookup('some key', { signal }))), 'ABORTED');
  t.is(errorCode(await t.throwsAsync(b!.leave({ signal }))), 'ABORTED');
  t.true(b!.member, 'the aborted leave changed nothing');
  await ring.stop();
});

test('an aborted lookup stuck on a partitioned hop rejects with ABORTED', async (t) => {
  const ring = new SimRing({ seed: 33 });
  await ring.addSequential(16);
  t.true((await ring.converge(60_000, { fingers: true })) >= 0);
  const asker = ring.live[0]!;
  ring.network.partition([[asker.self.address], ring.live.slice(1).map((n) => n.self.address)]);
  const ac = new AbortController();
  const succ = asker.snapshot({ fingers: false }).successors[0]!.address;
  const target = ring.live.find((x) => x !== asker && x.self.address !== succ)!;
  const looking = asker.lookupId(target.self.id, { signal: ac.signal });
  await ring.clock.advance(100);
  ac.abort();
  t.is(errorCode(await t.throwsAsync(looking)), 'ABORTED');
  ring.network.heal();
  await ring.stop();
});

test('an aborted leave whose key hand-over hangs rejects with ABORTED; the node stays in the ring', async (t) => {
  const ring = new SimRing({ seed: 34 });
  const nodes = await ring.addSequential(4);
  t.true((await ring.converge(60_000)) >= 0);
  const leaver = nodes[2]!;
  leaver.beforeLeave.push(() => new Promise<void>(() => undefined)); // a hand-over that never ends
  const ac = new AbortController();
  const leaving = leaver.leave({ signal: ac.signal });
  await tick();
  ac.abort();
  t.is(errorCode(await t.throwsAsync(leaving)), 'ABORTED');
  t.true(leaver.member);
  t.true((await ring.converge(10_000)) >= 0, 'the ring is as it was');
  t.is(ring.live.length, 4);
  await ring.stop();
});
