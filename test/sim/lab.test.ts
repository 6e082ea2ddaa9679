/**
 * The ring lab on the memory transport and virtual time: commands change the ring as asked,
 * and the health indicator agrees with the independent check (ring-check.ts) at every point,
 * broken or not.
 */
import test from 'ava';
import { RingLab } from '../../src/tui/ring-lab.js';
import { labCommands } from '../../src/tui/lab-commands.js';
import { checkRing } from '../../src/sim/ring-check.js';
import type { LabHealth } from '../../src/bus/lab-events.js';

/** The lab's indicator must say what ring-check says about the same live nodes. */
function agrees(t: import('ava').ExecutionContext, lab: RingLab, where: string): LabHealth {
  const h = lab.checkHealth();
  const ref = checkRing(
    lab.live.map((n) => n.snapshot()),
    { fingers: true },
  );
  t.is(h.nodes, ref.nodes, `${where}: nodes`);
  t.is(h.orderedRing, ref.orderedRing, `${where}: ordered ring`);
  t.is(h.wrongSuccessors, ref.wrongSuccessors, `${where}: wrong successors`);
  t.is(h.wrongPredecessors, ref.wrongPredecessors, `${where}: wrong predecessors`);
  t.is(h.wrongFingers, ref.wrongFingers, `${where}: wrong fingers`);
  t.is(h.checkedFingers, ref.totalFingers, `${where}: every finger checked on a small ring`);
  t.is(h.healthy, ref.healthy, `${where}: healthy`);
  return h;
}

test('build, crash, leave and add change the ring as asked; health tells the truth throughout', async (t) => {
  const lab = await RingLab.create({ nodes: 40, bits: 24, seed: 11 });
  try {
    t.is(lab.live.length, 40);
    t.true(agrees(t, lab, 'built').correct);

    const victim = lab.select('#5');
    await lab.crash();
    t.false(victim.member, 'the selected node crashed');
    t.false(lab.live.includes(victim));
    t.not(lab.selected, victim, 'selection moved to a live node');
    const broken = agrees(t, lab, 'right after the crash');
    t.false(broken.healthy, 'a crash breaks the ring until stabilization repairs it');
    t.truthy(lab.recovering);

    t.not(await lab.converge(60_000), null);
    t.true(agrees(t, lab, 'after recovery').correct);
    const c = lab.convergences.at(-1)!;
    t.is(c.kind, 'crash');
    t.true(c.ringMs! > 0 && c.fullMs! >= c.ringMs!, JSON.stringify(c));

    const leaving = lab.select('#7');
    await lab.leave();
    t.false(lab.live.includes(leaving), 'left');
    agrees(t, lab, 'right after the leave');
    await lab.converge(60_000);

    t.is(await lab.addNodes(8), 8);
    t.is(lab.live.length, 46);
    agrees(t, lab, 'right after 8 concurrent joins');
    await lab.converge(60_000);
    t.true(agrees(t, lab, 'after the joins').correct);

    await lab.crashFraction(0.25);
    t.is(lab.live.length, 46 - Math.round(0.25 * 46));
    agrees(t, lab, 'after crashing 25%');
  } finally {
    await lab.close();
  }
});

test('partition splits the ring in two, health sees two rings; heal and the ring is whole again', async (t) => {
  const lab = await RingLab.create({ nodes: 32, bits: 24, seed: 5 });
  try {
    t.deepEqual(lab.partition(2), [16, 16]);
    // Long enough for each half to give up on the other: two rings.
    await lab.clock.advance(30_000);
    const split = agrees(t, lab, 'partitioned');
    t.false(split.healthy);
    t.is(split.rings, 2, 'two separate rings');
    // Each half really is a ring of its own: every successor stays inside the half.
    const half = new Set(
      lab
        .members()
        .nodes.slice(0, 16)
        .map((n) => n.self.address),
    );
    for (const n of lab.members().nodes.slice(0, 16)) t.true(half.has(n.snapshot().successors[0]!.address));
    lab.heal();
    t.is(lab.info().partitioned, 0);
    const before = lab.checkHealth();
    t.false(before.healthy);
  } finally {
    await lab.close();
  }
});

test('a short partition heals back into one correct ring; storms see ½·log₂N and naive N/2', async (t) => {
  const lab = await RingLab.create({ nodes: 32, bits: 24, seed: 9 });
  try {
    lab.partition(2);
    await lab.clock.advance(300); // shorter than an RPC timeout: nobody gives up on anybody
    lab.heal();
    t.not(await lab.converge(60_000), null);
    t.true(agrees(t, lab, 'healed').correct);

    const s = await lab.storm(400);
    t.is(s.lookups, 400);
    t.is(s.failed + s.wrongOwner, 0);
    t.is(
      s.histogram.reduce((a, b) => a + b, 0),
      400,
    );
    t.is(s.expectedHops, 2.5);
    t.true(s.meanHops <= 2.5 + 0.5, `mean ${s.meanHops}`);

    await lab.fresh({ routing: 'naive', nodes: 24 });
    t.is(lab.routing, 'naive');
    t.true(agrees(t, lab, 'fresh naive').healthy);
    const n = await lab.storm(200);
    t.is(n.expectedHops, 12);
    t.true(Math.abs(n.meanHops - 12) < 4, `naive mean ${n.meanHops}`);
  } finally {
    await lab.close();
  }
});

test('commands: latency, loss, select, pause and step', async (t) => {
  const lab = await RingLab.create({ nodes: 16, bits: 20, seed: 2 });
  const cmd = labCommands(lab);
  try {
    await cmd.latency!(['5']);
    await cmd.loss!(['0.5']);
    t.is(lab.sim!.network.latencyMs, 5);
    t.is(lab.sim!.network.loss, 0.5);
    await cmd.loss!(['0']);
    const third = lab.members().nodes[3]!;
    t.is((await cmd.select!(['#3'])).address, third.self.address);
    t.is(lab.selected, third);
    await cmd.select!([third.self.id.toString(16)]);
    t.is(lab.selected, third);
    const r = await cmd.lookup!(['some-key']);
    t.true(Number(r.hops) >= 0);
    await cmd.pause!([]);
    t.true(lab.clock.paused);
    const t0 = lab.clock.now();
    await cmd.step!([]);
    t.is(lab.clock.now() - t0, 500, 'one stabilization interval');
    await t.throwsAsync(cmd.select!(['nosuch']));
    await t.throwsAsync(cmd.latency!(['fast']));
  } finally {
    await lab.close();
  }
});
