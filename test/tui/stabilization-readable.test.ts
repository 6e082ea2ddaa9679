/** Stabilization you can read: which pointer moved, from what to what, and why; notify rounds; detail view; zoom. */
import test from 'ava';
import type { StabilizeOutcome } from '../../src/bus/events.js';
import { SimRing } from '../../src/sim/sim-ring.js';
import { find, openConsole } from './helpers.js';

async function ring3(): Promise<SimRing> {
  const ring = new SimRing({ bits: 16, seed: 3 });
  await ring.addSequential(3);
  await ring.converge(60_000, { fingers: true });
  return ring;
}

test('a join and a crash: every moved pointer is on the bus with its cause, notify included', async (t) => {
  const ring = await ring3();
  const node = ring.nodes[0]!;
  const rounds: StabilizeOutcome[] = [];
  const logs: string[] = [];
  node.bus.on('stabilize:round', (o) => void rounds.push(o));
  node.bus.on('log:line', (l) => void logs.push(l.message));
  try {
    await ring.addSequential(2);
    await ring.clock.advance(3000);
    const notify = rounds.find((o) => o.trigger === 'notify');
    t.truthy(notify, 'a predecessor moved by notify is a round');
    const pred = notify!.changes![0]!;
    t.is(pred.pointer, 'predecessor');
    t.regex(pred.cause, /^notify from \S+:\d+/);
    t.is(
      node.snapshot().predecessor?.address,
      rounds.filter((o) => o.trigger === 'notify').at(-1)!.changes![0]!.to!.address,
    );
    t.true(
      logs.some((m) => /^predecessor \S+ → \S+: notify/.test(m)),
      'and a log line',
    );
    const adopted = rounds.find((o) => o.changes?.some((c) => c.pointer === 'successor'));
    const succ = adopted!.changes!.find((c) => c.pointer === 'successor')!;
    t.regex(succ.cause, /^neighbours reply from \S+: its predecessor is \S+, closer, and answered/);
    t.is(succ.from?.address, adopted!.successor.address === succ.to?.address ? succ.from?.address : succ.from?.address);
    t.true(
      rounds.some((o) =>
        o.changes?.some((c) => c.pointer === 'finger' && /^fix_fingers: lookup of n\+2\^\d+/.test(c.cause)),
      ),
      'a finger fixed by a lookup says which',
    );
    const successor = ring.live.find((n) => n.self.address === node.snapshot().successors[0]!.address)!;
    rounds.length = 0;
    await ring.crash(successor);
    await ring.clock.advance(5000);
    const dead = rounds.flatMap((o) => o.changes ?? []).find((c) => c.pointer === 'successor');
    t.is(dead?.from?.address, successor.self.address);
    t.regex(dead!.cause, new RegExp(`^no reply from ${successor.self.address} to neighbours`));
  } finally {
    await ring.stop();
  }
});

for (const [cols, rows] of [
  [120, 36],
  [160, 48],
] as const) {
  test(`at ${cols}x${rows} the pane wraps each round's explanation instead of cutting it; Enter opens it whole`, async (t) => {
    const ring = await ring3();
    const c = openConsole(ring.nodes[0]!, { cols, rows });
    try {
      await ring.addSequential(2);
      await ring.clock.advance(600);
      // At 120 columns the pane is a third of the screen: z gives it all of it.
      await c.keys('3', ...(cols < 160 ? ['z'] : []));
      const lines = c.text();
      t.true(find(lines, /notify: predecessor moved/) >= 0, lines.join('\n'));
      t.false(
        lines.some((l) => /rounds .*[^…]│$/.test(l) && !/err \d+\s*│/.test(l)),
        'the totals line is whole or ends in an ellipsis',
      );
      const text = lines.join('\n');
      t.regex(text, /pred \S+→\S+: notify from/);
      // The explanation lines under a round never end in an ellipsis: they wrap.
      const explanation = lines.filter((l) => /│ {2,4}\S/.test(l.slice(l.lastIndexOf('│', l.length - 2))));
      t.true(explanation.length > 0);
      t.false(
        explanation.some((l) => /…│\s*$/.test(l)),
        explanation.join('\n'),
      );
      await c.keys('G', 'enter');
      const detail = c.text().join('\n');
      t.regex(detail, /because: /);
      t.regex(detail, /predecessor: .* → .*\(n\d\.sim:4000, id [0-9a-f]+\)/);
    } finally {
      c.close();
      await ring.stop();
    }
  });
}

test('z zooms the focused pane to the whole screen and back', async (t) => {
  const ring = await ring3();
  const c = openConsole(ring.nodes[0]!, { cols: 120, rows: 36 });
  try {
    await c.keys('3');
    const before = c.app.panes.stabilize.box;
    t.is(Number(before.width), 36);
    await c.keys('z');
    t.true(c.app.zoomed);
    t.is(Number(c.app.panes.stabilize.box.width), 120);
    t.is(Number(c.app.panes.stabilize.box.height), 34);
    t.true(find(c.text(), /1 Ring map/) < 0, 'other panes hidden');
    await c.keys('z');
    t.false(c.app.zoomed);
    t.is(Number(c.app.panes.stabilize.box.width), 36);
  } finally {
    c.close();
    await ring.stop();
  }
});
