import test from 'ava';
import { openConsole, simRing, find, waitFor } from './helpers.js';

test('stabilization: rounds, health, pause, single step and speed through node.stabilization', async (t) => {
  const ring = await simRing(6);
  const c = openConsole(ring.nodes[0]!);
  try {
    await ring.clock.advance(2000);
    let lines = c.text();
    t.true(find(lines, 'running every 500 ms') >= 0);
    t.true(find(lines, 'succ.pred == me? ✓ yes') >= 0, 'healthy ring');
    const rounds = () =>
      Number(
        c
          .text()
          .join('\n')
          .match(/rounds\s+(\d+)/)![1],
      );
    t.true(rounds() >= 3);
    t.true(
      find(lines, /\d\d:\d\d\.\d{3} ✓ \S+\s+me\s+(×\d+ )?(fix\d+ )?pred✓/) >= 0,
      'a round line: successor, its predecessor is me, no notify needed, predecessor alive',
    );

    await c.keys('3', 'p');
    t.true(c.node.stabilization.isPaused());
    lines = c.text();
    t.true(find(lines, 'Stabilization · PAUSED') >= 0);
    t.true(find(lines, '‖ paused') >= 0);
    const before = rounds();
    await ring.clock.advance(3000);
    t.is(rounds(), before, 'no rounds while paused');
    await c.keys('s');
    await waitFor(() => rounds() === before + 1, 2000, 'one stepped round');
    await c.keys('p');
    t.false(c.node.stabilization.isPaused());

    await c.keys('+');
    t.is(c.node.stabilization.intervalMs(), 250);
    await c.keys('-', '-');
    t.is(c.node.stabilization.intervalMs(), 1000);
    t.true(find(c.text(), 'running every 1000 ms') >= 0);
  } finally {
    c.close();
    await ring.stop();
  }
});

test('stabilization: an unhealthy round is reported (tab layout, full width)', async (t) => {
  const ring = await simRing(3);
  const c = openConsole(ring.nodes[0]!, { cols: 80, rows: 24 });
  try {
    await c.keys('3');
    const snap = c.node.snapshot();
    c.node.bus.emit('stabilize:round', {
      at: Date.now(),
      successor: snap.successors[0]!,
      successorPredecessor: { id: 'beef', address: 'x:1' },
      adoptedSuccessor: false,
      skippedDead: [],
      notified: true,
      fingerFixed: 2,
      predecessorCheck: 'dead',
      successorListChanged: true,
      healthy: false,
    });
    const lines = c.text();
    t.true(find(lines, '✗ no (it is beef)') >= 0);
    t.true(find(lines, /! \S+\s+beef\s+notify✓ fix2 PRED DEAD list/) >= 0);
  } finally {
    c.close();
    await ring.stop();
  }
});
