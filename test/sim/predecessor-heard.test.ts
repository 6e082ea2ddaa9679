/**
 * check_predecessor in a settled ring: a predecessor that asked this node for its neighbours
 * within the round's interval lives, so it is not pinged; one that crashed goes quiet, is pinged
 * and cleared within two intervals and the ping's timeout. Virtual clock, memory transport.
 */
import test from 'ava';
import type { StabilizeOutcome } from '../../src/bus/events.js';
import { SimRing } from '../../src/sim/sim-ring.js';

test('a settled ring pings no predecessor; a crashed one is noticed within two rounds and a timeout', async (t) => {
  const ring = new SimRing({ seed: 17, bits: 16, stabilizeMs: 500 });
  await ring.addSequential(8);
  t.true((await ring.converge(60_000, { fingers: true })) >= 0, 'the ring converges');
  const rounds: StabilizeOutcome[] = [];
  for (const n of ring.live) n.bus.on('stabilize:round', (o) => void rounds.push(o));
  const pings = () => ring.network.requestsByType.get('ping') ?? 0;

  const before = pings();
  await ring.clock.advance(20_000);
  const checked = rounds.filter((o) => o.predecessorCheck === 'alive');
  t.true(checked.length >= 8 * 30, `${checked.length} rounds found their predecessor alive`);
  t.is(pings() - before, 0, 'not one ping on the wire');

  const sorted = [...ring.live].sort((a, b) => (a.self.id < b.self.id ? -1 : 1));
  const [victim, next] = [sorted[3]!, sorted[4]!];
  await ring.crash(victim);
  const crashedAt = ring.clock.now();
  let clearedAt = -1;
  next.bus.on('ring:predecessor-changed', (e) => {
    if (clearedAt < 0 && e.from?.address === victim.self.address) clearedAt = ring.clock.now();
  });
  await ring.clock.advance(5_000);
  t.true(clearedAt >= 0, 'the successor let go of its dead predecessor');
  const bound = 2 * 500 + ring.network.timeoutMs + 100;
  t.true(clearedAt - crashedAt <= bound, `within two rounds and a ping's timeout (${clearedAt - crashedAt} ms)`);
  t.true(pings() - before > 0, 'it was pinged once it went quiet');
  await ring.stop();
});
