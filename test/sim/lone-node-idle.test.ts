import test from 'ava';
import { LONE_BACKOFF } from '../../src/core/constants.js';
import { SimRing } from '../../src/sim/sim-ring.js';

test('a lone node backs off further than a settled ring, and a joiner brings it back to full rate', async (t) => {
  const ring = new SimRing({ bits: 160, seed: 5, backoff: 8, stabilizeMs: 500 });
  const [lone] = await ring.addSequential(1);
  const quiet: boolean[] = [];
  lone!.bus.on('stabilize:round', (o) => void quiet.push(o.fingerFixed === null && o.healthy));
  await ring.clock.advance(40_000); // 500, 1000, ... 16000 ms: settled within 40 s
  t.is(lone!.stabilization.effectiveMs(), 500 * LONE_BACKOFF, 'alone, backed off past the ring-wide 8x');
  t.true(quiet.length >= 5 && quiet.length <= 9, `${quiet.length} rounds in 40 s`);
  t.true(
    quiet.every((q) => q),
    'no round needed a finger lookup',
  );
  t.true(
    lone!.snapshot().fingers.every((f) => f.node.address === lone!.self.address),
    'every finger is the node itself',
  );
  const before = quiet.length;
  await ring.clock.advance(32_000);
  t.true(quiet.length - before <= 2, `${quiet.length - before} rounds in 32 s while alone`);

  const settled = quiet.length;
  await ring.add();
  await ring.clock.advance(2000);
  t.true(quiet.length - settled >= 3, `a join is a change: ${quiet.length - settled} rounds in the 2 s after it`);
  t.true((await ring.converge(30_000, { fingers: true })) >= 0, 'the two nodes form a ring');
  await ring.clock.advance(30_000);
  t.is(lone!.stabilization.effectiveMs(), 4000, 'in a ring of two, quiet rounds stretch only to 8x');
  await ring.stop();
});
