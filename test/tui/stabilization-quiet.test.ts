import test from 'ava';
import { SimRing } from '../../src/sim/sim-ring.js';
import { find, openConsole, tick, waitFor } from './helpers.js';

const rounds = (lines: string[]) => Number(/rounds\s+(\d+)/.exec(lines.join('\n'))![1]);

test('stabilization: quiet rounds on a lone node fold into one row without a frame each; a change still shows at once', async (t) => {
  const ring = new SimRing({ bits: 16, seed: 7, backoff: 8, stabilizeMs: 500 });
  const [node] = await ring.addSequential(1);
  await ring.clock.advance(60_000); // settles: alone, rounds every 16 s
  const every = node!.stabilization.effectiveMs();
  t.is(every, 16_000);
  const c = openConsole(node!);
  try {
    await ring.clock.advance(every); // the first round seen gets a row (and a frame)
    await tick(150);
    const before = c.app.frames;
    await ring.clock.advance(5 * every); // five more quiet rounds
    await tick(300);
    // At most one frame: the clock step that shows folded rounds (timers are real, rounds virtual).
    t.true(c.app.frames - before <= 1, `${c.app.frames - before} frames for five quiet rounds`);

    let lines = c.text();
    t.is(rounds(lines), 6);
    t.true(find(lines, /\d\d:\d\d\.\d{3} ✓ me\s+none\s+×6 no pred/) >= 0, 'six quiet rounds in one row');
    t.is(find(lines, /\d\d:\d\d\.\d{3} ✓ me\s+none\s+no pred\s*│/), -1, 'and no other row');

    const framesNow = c.app.frames;
    c.node.bus.emit('stabilize:round', {
      at: Date.now(),
      successor: { id: node!.self.id.toString(16), address: node!.self.address },
      successorPredecessor: null,
      adoptedSuccessor: false,
      skippedDead: [{ id: 'beef', address: 'x:1' }],
      notified: false,
      fingerFixed: null,
      predecessorCheck: 'none',
      successorListChanged: true,
      healthy: true,
    });
    await waitFor(() => c.app.frames > framesNow, 2000, 'a frame for a round that changed something');
    lines = c.text();
    t.true(find(lines, /✓ me\s+none\s+skip 1 dead/) >= 0, 'the change has its own row');
    t.true(find(lines, /×6 no pred/) >= 0, 'the folded quiet rounds stay below it');

    await ring.clock.advance(every);
    lines = c.text();
    t.true(find(lines, /×6 no pred/) >= 0, 'a quiet round after a change starts a row of its own…');
    t.true(find(lines, /\d\d:\d\d\.\d{3} ✓ me\s+none\s+no pred\s*│/) >= 0, '…above the change');
  } finally {
    c.close();
    await ring.stop();
  }
});
