/**
 * An owner that is slow, not dead: its answers come after the request timeout. A verified
 * lookup whose walk timed out on it must not name the next node just because that node knows
 * no predecessor (it lost its old one): the slow node is asked once more, with a longer wait,
 * and named. (Seen in the process churn benchmark on a loaded machine.) Virtual clock, memory
 * transport.
 */
import test from 'ava';
import { clearPredecessor } from '../../src/core/chord-state.js';
import type { NodeContext } from '../../src/dht/node-context.js';
import { SimRing } from '../../src/sim/sim-ring.js';

const ctxOf = (n: object) => (n as { ctx: NodeContext }).ctx;

test('a verified lookup names a slow owner, not the node after it', async (t) => {
  const ring = new SimRing({ seed: 81, stabilizeMs: 500 });
  await ring.addSequential(16);
  t.true((await ring.converge(60_000, { fingers: true })) >= 0);
  for (const n of ring.live) n.stabilization.pause();
  const sorted = [...ring.live].sort((a, b) => (a.self.id < b.self.id ? -1 : 1));
  const [owner, next, asker] = [sorted[5]!, sorted[6]!, sorted[12]!];
  // The node after the owner lost its predecessor (it found it dead once, say).
  const nctx = ctxOf(next);
  nctx.apply(clearPredecessor(nctx.st));
  // Every vouch is stale by now, and the owner answers 2.5 s late (the timeout is 2 s).
  await ring.clock.advance(6_000);
  ring.network.slow(owner.self.address, 2_500);
  const r = await ring.settle(asker.lookupId(owner.self.id), 10);
  t.is(r.owner.address, owner.self.address, 'the slow owner is named');
  t.log(`path ${r.path.map((n) => n.address).join(' > ')}, ${r.rpcs} RPCs, ${r.ms} ms`);
  await ring.stop();
});
