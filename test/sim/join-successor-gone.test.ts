/**
 * A joiner's successor may leave or die between answering the join's route and taking its
 * notify. The joiner must not return as joined while no node points at it: it passes over the
 * gone successor at once and notifies the next. (Seen in the process churn benchmark: a node
 * that joined through a successor that had just left was unreachable for 1.4 s.)
 */
import test from 'ava';
import { SimRing } from '../../src/sim/sim-ring.js';
import { spawnBetween } from '../helpers/spawn-between.js';
import { P2pError } from '../../src/wire/errors.js';

test('a joiner whose successor is gone when notified tells the next successor before the join returns', async (t) => {
  const ring = new SimRing({ seed: 59, stabilizeMs: 500 });
  await ring.addSequential(6);
  t.true((await ring.converge(60_000)) >= 0);
  const sorted = [...ring.live].sort((a, b) => (a.self.id < b.self.id ? -1 : 1));
  const [pred, succ, next] = sorted.slice(1, 4) as [(typeof sorted)[0], (typeof sorted)[0], (typeof sorted)[0]];
  const joiner = await spawnBetween(ring, pred, succ);
  // The successor dies as the notify reaches it.
  succ.handle('notify', async () => {
    ring.network.crash(succ.self.address);
    throw new P2pError('UNREACHABLE', 'gone');
  });
  await ring.settle(joiner.join(pred.self.address));
  t.is(joiner.snapshot({ fingers: false }).successors[0]?.address, next.self.address);
  t.is(next.snapshot({ fingers: false }).predecessor?.address, joiner.self.address, 'the next successor was told');
  await ring.stop();
});
