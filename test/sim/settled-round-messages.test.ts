/**
 * What a settled ring's rounds send: a successor that already names the node as its predecessor
 * is not notified (the notify would change nothing), while a round that finds the ring unsettled
 * still notifies. Virtual clock, memory transport.
 */
import test from 'ava';
import type { StabilizeOutcome } from '../../src/bus/events.js';
import { SimRing } from '../../src/sim/sim-ring.js';

test('settled rounds send no notify; a round after a join does', async (t) => {
  const ring = new SimRing({ seed: 11, bits: 16, stabilizeMs: 500 });
  await ring.addSequential(8);
  t.true((await ring.converge(60_000, { fingers: true })) >= 0, 'the ring converges');
  const rounds: StabilizeOutcome[] = [];
  for (const n of ring.live) n.bus.on('stabilize:round', (o) => void rounds.push(o));
  const notifies = () => ring.network.requestsByType.get('notify') ?? 0;

  const before = notifies();
  await ring.clock.advance(20_000);
  const timerRounds = rounds.filter((o) => (o.trigger ?? 'round') === 'round');
  t.true(timerRounds.length >= 8 * 4, `${timerRounds.length} rounds in 20 s`);
  t.true(
    timerRounds.every((o) => o.healthy && o.notifyNeeded === false && !o.notified),
    'every round saw the ring settled and sent no notify',
  );
  t.is(notifies() - before, 0, 'no notify on the wire');
  t.true((ring.network.requestsByType.get('neighbours') ?? 0) > 0, 'the rounds did ask their successors');

  rounds.length = 0;
  const joined = notifies();
  await ring.add();
  await ring.clock.advance(5_000);
  const unsettled = rounds.filter((o) => (o.trigger ?? 'round') === 'round' && !o.healthy);
  t.true(unsettled.length >= 1, 'the join unsettled a round');
  t.true(
    unsettled.every((o) => o.notifyNeeded === true && o.notified),
    'each unsettled round notified its successor, and it answered',
  );
  t.true(notifies() - joined >= 1 + unsettled.length, 'the joiner and the unsettled rounds notified');
  t.true((await ring.converge(30_000)) >= 0, 'the ring settles with the joiner');
  await ring.stop();
});
