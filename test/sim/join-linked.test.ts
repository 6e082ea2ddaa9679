/**
 * A join returns once a node points at the joiner. When the joiner's successor had lost its
 * predecessor, no one is asked to stabilize: the node before the joiner finds it on its own
 * next round, and until then lookups from the rest of the ring pass the joiner by. The join
 * waits for that (bounded by LINK_WAIT_MS). Virtual clock, memory transport.
 */
import test from 'ava';
import { clearPredecessor } from '../../src/core/chord-state.js';
import type { NodeContext } from '../../src/dht/node-context.js';
import { LINK_WAIT_MS } from '../../src/dht/membership.js';
import { SimRing } from '../../src/sim/sim-ring.js';
import { spawnBetween } from '../helpers/spawn-between.js';

const ctxOf = (n: object) => (n as { ctx: NodeContext }).ctx;

test('a joiner whose successor had no predecessor returns once the node before it points at it', async (t) => {
  const ring = new SimRing({ seed: 63, stabilizeMs: 500 });
  await ring.addSequential(8);
  t.true((await ring.converge(60_000, { fingers: true })) >= 0);
  const sorted = [...ring.live].sort((a, b) => (a.self.id < b.self.id ? -1 : 1));
  const [p, s] = [sorted[4]!, sorted[5]!];
  const sctx = ctxOf(s);
  sctx.apply(clearPredecessor(sctx.st));
  const joiner = await spawnBetween(ring, p, s);
  let announced = -1;
  joiner.bus.on('node:joined', () => void (announced = ring.clock.now()));
  const started = ring.clock.now();
  await ring.settle(joiner.join(s.self.address), 10);
  t.is(p.snapshot({ fingers: false }).successors[0]?.address, joiner.self.address, 'P points at the joiner');
  t.is(joiner.snapshot({ fingers: false }).predecessor?.address, p.self.address);
  t.true(announced >= 0 && announced - started < LINK_WAIT_MS, `announced after ${announced - started} ms`);
  // A lookup of the joiner's id from the far side of the ring names it.
  const r = await ring.settle(sorted[0]!.lookupId(joiner.self.id), 1);
  t.is(r.owner.address, joiner.self.address);
  await ring.stop();
});
