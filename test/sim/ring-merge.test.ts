import test from 'ava';
import type { ChordNode } from '../../src/dht/chord-node.js';
import { labHealth } from '../../src/sim/lab-health.js';
import { StoreRing, bytesOf, textOf } from '../store/helpers.js';

const STABILIZE_MS = 500;
/** Virtual ms after one ring forms by which every file must be readable (a quiet ring's periodic pass: 16 s). */
const RECONCILE_BOUND_MS = 1_000;

/** Splits the live nodes into `parts` groups, at random (`interleaved`) or as arcs by id. */
function split(sr: StoreRing, parts: number, interleaved: boolean): ChordNode[][] {
  const sorted = [...sr.ring.live].sort((a, b) => (a.self.id < b.self.id ? -1 : 1));
  const groups: ChordNode[][] = Array.from({ length: parts }, () => []);
  sorted.forEach((n, i) => {
    const g = interleaved ? Math.floor(sr.ring.random() * parts) : Math.floor((i * parts) / sorted.length);
    groups[g]!.push(n);
  });
  sr.ring.network.partition(groups.map((g) => g.map((n) => n.self.address)));
  return groups;
}

/** Virtual ms until the live nodes form one ordered ring again, checked every `everyMs`; -1 past `limitMs`. */
async function msToOneRing(sr: StoreRing, limitMs: number, everyMs = STABILIZE_MS): Promise<number> {
  const start = sr.ring.clock.now();
  while (sr.ring.clock.now() - start <= limitMs) {
    const h = labHealth(sr.ring.live, { fingerBudget: 0 });
    if (h.healthy && h.rings === 1) return sr.ring.clock.now() - start;
    await sr.ring.clock.advance(everyMs);
  }
  return -1;
}

/** Puts `perSide` files through nodes of each group; returns their keys. */
async function putOnEachSide(sr: StoreRing, groups: ChordNode[][], perSide: number): Promise<string[]> {
  const keys: string[] = [];
  for (const [g, group] of groups.entries()) {
    for (let i = 0; i < perSide; i++) {
      const key = `side-${g}-file-${i}`;
      const writer = sr.stores.get(group[i % group.length]!)!;
      await sr.ring.settle(writer.put(key, bytesOf(`v-${key}`)));
      keys.push(key);
    }
  }
  return keys;
}

async function unreadable(sr: StoreRing, keys: readonly string[], readers: readonly ChordNode[]): Promise<string[]> {
  const bad: string[] = [];
  for (const node of readers)
    for (const k of keys) {
      const v = await sr.ring.settle(sr.stores.get(node)!.get(k)).then(textOf, (e: Error) => e.message);
      if (v !== `v-${k}`) bad.push(`${node.self.address} ${k}: ${v}`);
    }
  return bad;
}

/** The same, all reads at once (a check costs the time of one read). */
async function unreadableNow(sr: StoreRing, keys: readonly string[], readers: readonly ChordNode[]): Promise<string[]> {
  const reads = readers.flatMap((node) =>
    keys.map((k) =>
      sr.stores
        .get(node)!
        .get(k)
        .then(textOf, (e: Error) => e.message)
        .then((v) => (v === `v-${k}` ? null : `${node.self.address} ${k}: ${v}`)),
    ),
  );
  return (await sr.ring.settle(Promise.all(reads))).filter((x): x is string => x !== null);
}

async function partitionedRing(seed: number, n: number, parts: number, interleaved: boolean, backoff = 1) {
  const sr = new StoreRing({ seed, stabilizeMs: STABILIZE_MS, backoff });
  await sr.addSequential(n);
  await sr.ready();
  const groups = split(sr, parts, interleaved);
  await sr.ring.clock.advance(30_000);
  const h = labHealth(sr.ring.live, { fingerBudget: 0 });
  return { sr, groups, rings: h.rings };
}

test('two interleaved partitions heal into one ring by themselves; files put on either side are everywhere with r copies', async (t) => {
  const { sr, groups, rings } = await partitionedRing(61, 48, 2, true);
  t.is(rings, 2, 'each side stabilized into a ring of its own');
  const keys = await putOnEachSide(sr, groups, 8);
  sr.ring.network.heal();
  const ms = await msToOneRing(sr, 60_000);
  t.log(`one ring ${ms} virtual ms after the heal`);
  t.true(ms >= 0 && ms <= 60_000, `merged within 60 s (${ms} ms)`);
  await sr.heal();
  t.deepEqual(sr.misplaced(keys), [], 'every file on exactly its r = 3 holders of the merged ring');
  t.deepEqual(await unreadable(sr, keys, sr.ring.live), [], 'every file readable from every node');
  await sr.stop();
});

test('a node that merges two rings runs a maintenance pass at once; files put on either side are readable everywhere right after', async (t) => {
  // Quiet rings stretch their rounds 8x as TCP nodes do: the periodic maintenance pass then
  // comes every 16 s, so only passes started by the merge itself reconcile the keys in time.
  const { sr, groups, rings } = await partitionedRing(66, 40, 2, true, 8);
  t.is(rings, 2);
  const keys = await putOnEachSide(sr, groups, 8);
  await sr.ring.clock.advance(20_000); // both sides quiet again, rounds stretched
  const merged: { node: ChordNode; at: number }[] = [];
  const passes = new Map<ChordNode, number[]>();
  for (const node of sr.ring.live) {
    node.bus.on('ring:merged', () => merged.push({ node, at: node.clock.now() }));
    node.bus.on('store:maintained', (p) => passes.set(node, [...(passes.get(node) ?? []), p.startedAt]));
  }
  sr.ring.network.heal();
  const ms = await msToOneRing(sr, 60_000, 100);
  t.true(ms >= 0, `merged within 60 s (${ms} ms)`);
  t.true(merged.length > 0, 'nodes threaded in nodes of the other ring');
  const late = merged.filter((m) => !(passes.get(m.node) ?? []).some((at) => at >= m.at && at - m.at <= 1));
  t.deepEqual(
    late.map((m) => m.node.self.address),
    [],
    'every merging node began a pass when it merged',
  );
  const t0 = sr.ring.clock.now();
  let bad = await unreadableNow(sr, keys, sr.ring.live);
  while (bad.length > 0 && sr.ring.clock.now() - t0 < 16_000) {
    await sr.ring.clock.advance(100);
    bad = await unreadableNow(sr, keys, sr.ring.live);
  }
  const readableMs = sr.ring.clock.now() - t0;
  t.log(`one ring ${ms} ms after the heal, ${merged.length} merges; every file readable ${readableMs} ms later`);
  t.deepEqual(bad, [], 'every file readable from every node');
  t.true(readableMs <= RECONCILE_BOUND_MS, `every file readable ${readableMs} ms after the merge`);
  await sr.stop();
});

test('three partitions (arcs) heal into one ring; files from all three sides are readable everywhere', async (t) => {
  const { sr, groups, rings } = await partitionedRing(62, 60, 3, false);
  t.is(rings, 3);
  const keys = await putOnEachSide(sr, groups, 5);
  sr.ring.network.heal();
  const ms = await msToOneRing(sr, 60_000);
  t.log(`one ring ${ms} virtual ms after the heal`);
  t.true(ms >= 0, 'merged within 60 s');
  await sr.heal();
  t.deepEqual(sr.misplaced(keys), []);
  t.deepEqual(await unreadable(sr, keys, sr.ring.live.slice(0, 20)), []);
  await sr.stop();
});

test('three interleaved partitions merge while nodes join, leave and crash', async (t) => {
  const { sr, groups, rings } = await partitionedRing(63, 60, 3, true);
  t.is(rings, 3);
  const keys = await putOnEachSide(sr, groups, 4);
  sr.ring.network.heal();
  for (let step = 0; step < 12; step++) {
    if (step % 3 === 0) await sr.add();
    else if (step % 3 === 1) await sr.leave(sr.ring.pickLive());
    else await sr.crash(sr.ring.pickLive());
    await sr.ring.clock.advance(STABILIZE_MS);
  }
  const ms = await msToOneRing(sr, 60_000);
  t.true(ms >= 0, 'one ring within 60 s once the churn stops');
  await sr.heal();
  t.deepEqual(sr.misplaced(keys), []);
  t.deepEqual(await unreadable(sr, keys, sr.ring.live.slice(0, 10)), []);
  await sr.stop();
});

test('without the merge a healed partition stays two rings (the lost peers are what finds the other side)', async (t) => {
  const { sr, rings } = await partitionedRing(64, 32, 2, true);
  t.is(rings, 2);
  // Forget every lost peer: nothing is left to probe, as in plain Chord.
  t.true(
    sr.ring.live.some((n) => n.lostPeers().length > 0),
    'nodes remember peers from the other side',
  );
  for (const n of sr.ring.live) n.forgetLostPeers();
  sr.ring.network.heal();
  t.is(await msToOneRing(sr, 20_000), -1);
  t.is(labHealth(sr.ring.live, { fingerBudget: 0 }).rings, 2);
  await sr.stop();
});
