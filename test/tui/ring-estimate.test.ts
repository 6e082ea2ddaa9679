/**
 * The status bar's ring size: exact as soon as a node's successor list holds the whole ring,
 * through joins and departures, before the predecessor pointers have settled. Virtual clock,
 * memory transport.
 */
import test from 'ava';
import { SimRing } from '../../src/sim/sim-ring.js';
import { estimateRingSize } from '../../src/tui/ring-estimate.js';

test('a successor list shorter than r is the whole ring while no predecessor says otherwise', (t) => {
  const me = { id: '00', address: 'me', bits: 8, inRing: true, r: 8 };
  const other = { id: '40', address: 'n40' };
  // Just joined: successor known, predecessor not yet.
  t.deepEqual(estimateRingSize({ ...me, predecessor: null, successors: [other] }), { n: 2, exact: true });
  // The predecessor is missing from a short list: the list is still filling in.
  const filling = estimateRingSize({ ...me, predecessor: { id: 'f0', address: 'nf0' }, successors: [other] });
  t.false(filling.exact);
  t.true(filling.n >= 3, `at least me, my successor and my predecessor (${filling.n})`);
  // A full list that does not reach round is still an estimate: at least it, me and my predecessor.
  const full = ['20', '40', '60', '80', 'a0', 'c0', 'd0', 'e0'].map((id) => ({ id, address: `n${id}` }));
  t.deepEqual(estimateRingSize({ ...me, predecessor: { id: 'f0', address: 'nf0' }, successors: full }), {
    n: 10,
    exact: false,
  });
});

test('every node tells the exact ring size right after joins and departures', async (t) => {
  const ring = new SimRing({ seed: 11, bits: 32, successors: 4 });
  try {
    const first = await ring.add();
    t.deepEqual(estimateRingSize(first.snapshot()), { n: 1, exact: true });
    const second = await ring.add();
    // Straight after the join, before any stabilization round.
    t.deepEqual(estimateRingSize(second.snapshot()), { n: 2, exact: true }, 'the joiner');
    t.true((await ring.converge(30_000)) >= 0, 'two nodes converge');
    for (const n of ring.live) t.deepEqual(estimateRingSize(n.snapshot()), { n: 2, exact: true });
    await ring.addSequential(2);
    t.true((await ring.converge(30_000)) >= 0, 'four nodes converge');
    await rounds(ring, 4);
    for (const n of ring.live) t.deepEqual(estimateRingSize(n.snapshot()), { n: 4, exact: true });
    await ring.leave(ring.live[1]!);
    await rounds(ring, 4);
    for (const n of ring.live) t.deepEqual(estimateRingSize(n.snapshot()), { n: 3, exact: true }, 'after a leave');
    await ring.addSequential(4);
    t.true((await ring.converge(30_000)) >= 0, 'seven nodes converge');
    await rounds(ring, 4);
    for (const n of ring.live) t.false(estimateRingSize(n.snapshot()).exact, 'r=4 cannot see all seven');
  } finally {
    await ring.stop();
  }
});

/** A few stabilization rounds: successor lists travel one hop per round. */
async function rounds(ring: SimRing, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await ring.clock.advance(500);
}
