/**
 * Two nodes join into one gap (P, S) at once, the later id's notify reaching S first: S keeps
 * that joiner as its predecessor and turns the earlier one down. The earlier joiner must not
 * return as joined while nothing points at it: it stabilizes at once, takes the other joiner
 * as its successor and notifies it. (Seen in the process churn benchmark: a joiner known only
 * to itself drew four wrong lookup answers.) Virtual clock, memory transport.
 */
import test from 'ava';
import type { ChordNode } from '../../src/dht/chord-node.js';
import { notifyHandler } from '../../src/dht/handlers/notify.js';
import type { NodeContext } from '../../src/dht/node-context.js';
import { inOpen } from '../../src/core/ring-math.js';
import { SimRing } from '../../src/sim/sim-ring.js';
import { spawnBetween } from '../helpers/spawn-between.js';

test('a joiner its successor turned down for a closer joiner is linked in before its join returns', async (t) => {
  const ring = new SimRing({ seed: 61, stabilizeMs: 500 });
  await ring.addSequential(8);
  t.true((await ring.converge(60_000, { fingers: true })) >= 0);
  const sorted = [...ring.live].sort((a, b) => (a.self.id < b.self.id ? -1 : 1));
  const [p, s] = [sorted[2]!, sorted[3]!];
  let early = await spawnBetween(ring, p, s);
  let late = await spawnBetween(ring, p, s);
  if (late.self.id < early.self.id) [early, late] = [late, early];
  t.true(inOpen(early.self.id, p.self.id, late.self.id), 'P < early < late < S');

  // S holds the early joiner's notify until the late joiner has joined.
  let lateJoined!: () => void;
  const lateDone = new Promise<void>((r) => (lateJoined = r));
  const handler = notifyHandler((s as unknown as { ctx: NodeContext }).ctx);
  s.handle('notify', async (b) => {
    if (b.node.address === early.self.address) await lateDone;
    return handler(b);
  });
  const earlyJoin = early.join(p.self.address);
  await ring.settle(new Promise((r) => setTimeout(r, 0)), 1); // the early joiner's notify is on its way
  await ring.settle(late.join(p.self.address), 1);
  lateJoined();
  await ring.settle(earlyJoin, 1);

  const link = (n: ChordNode) => n.snapshot({ fingers: false });
  t.is(link(early).successors[0]?.address, late.self.address, "the early joiner's successor is the late one");
  t.is(link(late).predecessor?.address, early.self.address, 'the late joiner took it as predecessor');
  // Right when the join returned, a lookup of the early joiner's id from P names it.
  const r = await ring.settle(p.lookupId(early.self.id), 1);
  t.is(r.owner.address, early.self.address);
  await ring.stop();
});
