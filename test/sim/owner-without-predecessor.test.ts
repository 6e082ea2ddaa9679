/**
 * A lookup whose owner reports no predecessor (it dropped it) cannot tell whether a node joined
 * in front of it: it waits one round and asks the owner again. Here the joiner the last hop
 * never heard of notifies the owner during that wait, and the lookup names the joiner.
 */
import test from 'ava';
import { SimRing } from '../../src/sim/sim-ring.js';
import { spawnBetween } from '../helpers/spawn-between.js';

const STABILIZE_MS = 500;

test('an owner without a predecessor is asked again after a round: a joiner that notified it meanwhile owns the key', async (t) => {
  const ring = new SimRing({ seed: 77, stabilizeMs: STABILIZE_MS });
  await ring.addSequential(16);
  t.true((await ring.converge(60_000, { fingers: true })) >= 0);
  const sorted = [...ring.live].sort((a, b) => (a.self.id < b.self.id ? -1 : 1));
  const [p, a] = [sorted[5]!, sorted[6]!];
  const asker = sorted[12]!;
  const joiner = await spawnBetween(ring, p, a);
  // P never hears of the joiner (paused, and cut off while it joins); the joiner runs rounds
  // only when stepped below.
  p.stabilization.pause();
  joiner.stabilization.pause();
  const others = (x: string) => ring.nodes.map((n) => n.self.address).filter((y) => y !== x);
  ring.network.partition([[p.self.address], others(p.self.address)]);
  await ring.settle(joiner.join(a.self.address));
  ring.network.heal();
  t.is(a.snapshot().predecessor?.address, joiner.self.address, 'A took the joiner as predecessor');
  // The joiner is cut off long enough for A to find its predecessor dead and drop it, and for
  // P's word about A (its vouch) to age out; then it is back.
  ring.network.partition([[joiner.self.address], others(joiner.self.address)]);
  await ring.settle(new Promise((r) => ring.clock.setTimeout(() => r(undefined), 8_000)));
  ring.network.heal();
  t.is(a.snapshot().predecessor, null, 'A has no predecessor');
  t.is(p.snapshot().successors[0]?.address, a.self.address, 'P still names A');

  let named = null as string | null;
  const lookup = asker.lookupId(p.self.id + 1n).then((r) => (named = r.owner.address));
  await ring.settle(new Promise((r) => ring.clock.setTimeout(() => r(undefined), 100)));
  t.is(named, null, 'the lookup waits for a round instead of taking the owner without a predecessor');
  await ring.settle(joiner.stabilization.step());
  t.is(a.snapshot().predecessor?.address, joiner.self.address, "the joiner's round notified A");
  await ring.settle(lookup);
  t.is(named, joiner.self.address);
  await ring.stop();
});
