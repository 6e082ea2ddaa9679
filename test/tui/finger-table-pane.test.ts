import test from 'ava';
import { attrAt, openConsole, simRing, find, tick } from './helpers.js';
import { SimRing } from '../../src/sim/sim-ring.js';

test('finger table: i, start, interval, successor, address, age; changed rows flash', async (t) => {
  const ring = await simRing(8);
  const c = openConsole(ring.nodes[0]!);
  try {
    const snap = c.node.snapshot();
    const lines = c.text();
    const header = find(lines, /i\s+start\s+interval\s+succ\s+address\s+fixed/);
    t.true(header >= 0, 'header row');
    t.is(snap.fingers.length, 16);
    for (const f of snap.fingers.slice(0, 10)) {
      const row = lines[header + 1 + f.index]!;
      t.regex(row, new RegExp(`^.{54}│\\s*${f.index} ${f.start}`), `row ${f.index}`);
      t.true(row.includes(f.node.address) && row.includes(f.node.id), `row ${f.index} successor`);
      t.regex(row, /\d+[smhd] ago/);
    }
    // An interval runs from this start to the next finger's start.
    t.true(lines[header + 1]!.includes(`[${snap.fingers[0]!.start},${snap.fingers[1]!.start})`));

    // A finger that changes flashes: its row is drawn in the flash style, others are not.
    const other = snap.fingers.find((f) => f.node.address !== snap.fingers[3]!.node.address)!.node;
    c.node.bus.emit('finger:updated', { index: 3, start: snap.fingers[3]!.start, node: other, at: c.node.clock.now() });
    await tick(5);
    c.text();
    const x = 60;
    const flash = attrAt(c.app.screen, x, header + 1 + 3);
    const plain = attrAt(c.app.screen, x, header + 1 + 5);
    t.not(flash, plain, 'flashing row drawn differently');
    t.is(attrAt(c.app.screen, x, header + 1 + 2), plain);
  } finally {
    c.close();
    await ring.stop();
  }
});

test('finger table: d collapses runs that point at one node', async (t) => {
  const ring = await simRing(4);
  const c = openConsole(ring.nodes[0]!);
  try {
    await c.keys('2', 'd');
    const lines = c.text();
    t.true(find(lines, 'Finger table · collapsed') >= 0);
    t.true(find(lines, /│\s*0-\d+ /) >= 0, 'a run of fingers shown as a range');
  } finally {
    c.close();
    await ring.stop();
  }
});

test('finger table: while the ring is quiet, ages step together every 10 s, so idle frames stay rare', async (t) => {
  const ring = new SimRing({ bits: 16, seed: 3, backoff: 8 });
  await ring.addSequential(8);
  await ring.converge(60_000, { fingers: true });
  await ring.clock.advance(30_000); // quiet rounds: the interval stretches to 4 s
  const node = ring.nodes[0]!;
  t.is(node.stabilization.effectiveMs(), 4000);
  const c = openConsole(node);
  try {
    const pane = c.app.panes.fingers;
    const now = node.clock.now();
    t.is(pane.wakeIn(), 10_000 - (now % 10_000), 'the next age change is the next 10 s step of the clock');
    const ages = c.text().flatMap((l) => [...l.matchAll(/(\d+)s ago/g)].map((m) => Number(m[1])));
    t.true(ages.length >= 8, `${ages.length} ages shown`);
    const fixed = node.snapshot().fingers.map((f) => f.fixedAt);
    const stepNow = Math.floor(now / 10_000) * 10_000;
    t.deepEqual(
      new Set(ages),
      new Set(fixed.map((at) => Math.max(0, Math.floor((stepNow - at) / 1000)))),
      'ages are counted from the stepped clock',
    );
  } finally {
    c.close();
    await ring.stop();
  }
});
