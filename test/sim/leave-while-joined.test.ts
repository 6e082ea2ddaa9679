/**
 * A leaver hands its keys on before it tells its neighbours, and a node may join right in
 * front of it meanwhile (its notify makes the joiner the leaver's predecessor). The successor
 * must then be told of the joiner, not of the predecessor the leave started with: told of the
 * old one, it dropped the joiner again, and lookups for the joiner's keys named the successor
 * until the joiner's next round. (Seen in the process churn benchmark.)
 */
import test from 'ava';
import { SimRing } from '../../src/sim/sim-ring.js';
import { spawnBetween } from '../helpers/spawn-between.js';

test("a node that joined in front of a leaver during its hand-off is its successor's predecessor after the leave", async (t) => {
  const ring = new SimRing({ seed: 57, stabilizeMs: 500 });
  await ring.addSequential(6);
  t.true((await ring.converge(60_000)) >= 0);
  const sorted = [...ring.live].sort((a, b) => (a.self.id < b.self.id ? -1 : 1));
  const [pred, leaver, succ] = sorted.slice(1, 4) as [(typeof sorted)[0], (typeof sorted)[0], (typeof sorted)[0]];
  const joiner = await spawnBetween(ring, pred, leaver);

  let joined!: Promise<void>;
  leaver.beforeLeave.push(async () => {
    // The join lands while the leaver is handing its keys on.
    joined = joiner.join(succ.self.address);
    await joined;
  });
  await leaver.leave();
  await joined;

  t.is(succ.snapshot({ fingers: false }).predecessor?.address, joiner.self.address);
  t.is(joiner.snapshot({ fingers: false }).successors[0]?.address, succ.self.address);
  t.true((await ring.converge(30_000)) >= 0, 'the ring settles with the joiner in it');
  t.is(ring.live.length, 6);
  await ring.stop();
});
