/** The lab shows a healed partition merging: "2 rings" become "one ring" by themselves, and the lab pane says how long it took. */
import test from 'ava';
import { RingLab } from '../../src/tui/ring-lab.js';
import { find, tick, labConsoleOn } from '../tui/helpers.js';

test('lab: split with w, heal with W: two rings merge into one by themselves; the lab pane times the merge', async (t) => {
  const lab = await RingLab.create({ nodes: 40, bits: 24, seed: 14 });
  const { app, text } = labConsoleOn(lab);
  try {
    lab.partition(2);
    await lab.clock.advance(30_000);
    t.is(lab.checkHealth().rings, 2);
    t.true(find(text(), '2 rings, unordered') >= 0, 'health shows two rings');
    lab.heal();
    const merged = await lab.converge(60_000, { fingers: false });
    t.not(merged, null, 'one ring again within 60 s, with no command but the heal');
    const h = lab.checkHealth();
    t.is(h.rings, 1);
    t.true(h.orderedRing && h.healthy);
    // The recovery is recorded once the fingers are right too (fix_fingers catches up).
    t.not(await lab.converge(120_000), null);
    await tick();
    const s = text();
    t.true(find(s, 'one ring') >= 0, 'health shows one ring');
    t.true(find(s, 'merge of 2 rings: one ring after') >= 0, 'the lab pane says how long the merge took');
    const c = lab.convergences.at(-1);
    t.is(c?.kind, 'heal');
    t.true(c!.ringMs !== null && c!.ringMs <= 60_000, `merge took ${c?.ringMs} ms`);
  } finally {
    app.destroy();
    await lab.close();
  }
});
