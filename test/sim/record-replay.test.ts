/**
 * Record a node through a join, a crash and the heal; read the recording back headlessly and
 * check the state rebuilt at chosen moments against what the live node reported then.
 */
import test from 'ava';
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BusRecorder } from '../../src/io/bus-recorder.js';
import { recordable } from '../../src/dht/recordable-node.js';
import { SimRing } from '../../src/sim/sim-ring.js';
import { indexAtTime, readRecording, stateAt } from '../../src/tui/replay-model.js';
import type { NodeSnapshot } from '../../src/dht/node-snapshot.js';

function brief(s: {
  predecessor: { address: string } | null;
  successors: readonly { address: string }[];
  fingers: readonly { index: number; node: { address: string } }[];
}) {
  return {
    predecessor: s.predecessor?.address ?? null,
    successors: s.successors.map((n) => n.address),
    fingers: s.fingers.map((f) => `${f.index}:${f.node.address}`),
  };
}

test('join, crash, heal: the replayed state matches the live node at every chosen moment', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'p2pterm-rec-'));
  const path = join(dir, 'node.rec');
  const ring = new SimRing({ bits: 16, seed: 11 });
  const recorder = new BusRecorder(path);
  const seen: { t: number; snap: NodeSnapshot }[] = [];
  try {
    await ring.addSequential(4);
    await ring.converge(60_000, { fingers: true });
    const node = await ring.spawn();
    recorder.watch(recordable(node));
    const moment = () => seen.push({ t: ring.clock.now(), snap: node.snapshot() });
    moment(); // alone, before the join
    await ring.clock.advance(10); // moments are told apart by time
    await node.join(ring.nodes[0]!.self.address);
    moment(); // just joined
    await ring.clock.advance(4000);
    moment(); // stabilized
    const succ = ring.live.find((n) => n.self.address === node.snapshot().successors[0]!.address)!;
    const pred = ring.live.find((n) => n.self.address === node.snapshot().predecessor!.address)!;
    await ring.crash(succ);
    await ring.crash(pred);
    // A crashed node is noticed when a request to it times out (2 s): the successor first.
    await ring.clock.advance(2300);
    moment(); // mid-heal
    await ring.converge(60_000, { fingers: true });
    moment(); // healed
    recorder.close();

    const rec = readRecording(path);
    t.true(rec.nodes.has(node.self.address));
    t.true(seen.length === 5);
    const states = new Set<string>();
    for (const { t: at, snap } of seen) {
      const replayed = stateAt(rec, node.self.address, indexAtTime(rec, at));
      t.truthy(replayed, `a state at ${at}`);
      t.deepEqual(brief(replayed!), brief(snap), `state at t=${at}`);
      t.is(replayed!.inRing, snap.inRing);
      states.add(JSON.stringify(brief(snap)));
    }
    t.true(states.size >= 4, 'the moments differ from one another: the check is not trivially equal');
    const events = rec.lines.filter((l) => 'e' in l).map((l) => ('e' in l ? l.e : ''));
    t.true(events.includes('stabilize:round'));
    t.true(events.includes('ring:successor-changed'));
  } finally {
    recorder.close();
    await ring.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a recording past its bound is gzipped to FILE.1.gz and starts again with the node states', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'p2pterm-rec-'));
  const path = join(dir, 'ring.rec');
  const ring = new SimRing({ bits: 16, seed: 12 });
  const recorder = new BusRecorder(path, { maxBytes: 20_000 });
  try {
    for (const n of await ring.addSequential(3)) recorder.watch(recordable(n));
    await ring.clock.advance(30_000);
    recorder.flush();
    t.true(recorder.rotations >= 1, 'rotated');
    t.true(existsSync(`${path}.1.gz`));
    t.true(statSync(path).size < 20_000 + 300_000, 'bounded');
    recorder.close();
    const rotated = readRecording(`${path}.1.gz`);
    const current = readRecording(path);
    t.is(current.nodes.size, 3, 'the new file has every node state');
    t.true(rotated.lines.length > 0);
    for (const n of ring.nodes) {
      const live = brief(n.snapshot());
      t.deepEqual(brief(stateAt(current, n.self.address, current.lines.length)!), live);
    }
  } finally {
    recorder.close();
    await ring.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
