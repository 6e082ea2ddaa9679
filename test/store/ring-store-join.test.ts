import test from 'ava';
import { hashId, inHalfOpen } from '../../src/core/ring-math.js';
import { StoreRing, bytesOf, textOf } from './helpers.js';

// The Chord paper's ring on a 6-bit id space, as in the design document's join example.
const IDS = [1, 8, 14, 21, 32, 38, 42, 48, 51, 56].map(BigInt);
const keys = Array.from({ length: 150 }, (_, i) => `key-${i}`);
const idOf = (k: string) => hashId(k, 6);

test('N26 joins between N21 and N32 and copies exactly the keys that should be in N26', async (t) => {
  const sr = new StoreRing({ seed: 31, bits: 6, successors: 4 });
  const nodes = [];
  for (const id of IDS) {
    const node = await sr.spawnWithId(id);
    await sr.attach(node, nodes[0] ?? null);
    nodes.push(node);
  }
  await sr.ready();
  for (const [i, k] of keys.entries()) await sr.ring.settle(sr.live[i % sr.live.length]!.put(k, bytesOf(`v-${k}`)));
  await sr.heal();
  t.deepEqual(sr.misplaced(keys), [], 'before the join every key is on its 3 holders');

  const n32 = sr.stores.get(nodes[4]!)!;
  const share = keys.filter((k) => inHalfOpen(idOf(k), 21n, 26n));
  t.true(share.length >= 5, `the example has keys to move (${share.length})`);
  t.true(
    share.every((k) => n32.holds(k) === 'primary'),
    'N32 owns them before the join',
  );

  const n26 = await sr.spawnWithId(26n);
  const s26 = await sr.attach(n26, nodes[0]!);
  t.deepEqual(
    share.filter((k) => s26.holds(k) === null),
    [],
    'when join returns, N26 already holds its share',
  );

  await sr.heal();
  const primaries = (s: typeof s26) => keys.filter((k) => s.holds(k) === 'primary').sort();
  t.deepEqual(primaries(s26), [...share].sort(), 'N26 is primary for exactly (21, 26]');
  t.deepEqual(primaries(n32), keys.filter((k) => inHalfOpen(idOf(k), 26n, 32n)).sort(), 'N32 keeps exactly (26, 32]');
  t.deepEqual(sr.misplaced(keys), [], 'every key is on exactly its 3 holders, extra copies dropped');
  t.deepEqual(s26.counts(), {
    primary: share.length,
    replica: keys.filter((k) => inHalfOpen(idOf(k), 8n, 21n)).length,
  });
  for (const k of keys) t.is(textOf(await sr.ring.settle(s26.get(k))), `v-${k}`);
  await sr.stop();
});

test('nodes joining one after another each take over their share; nothing is lost', async (t) => {
  const sr = new StoreRing({ seed: 32 });
  await sr.addSequential(4);
  await sr.ready();
  for (const k of keys) await sr.ring.settle(sr.live[0]!.put(k, bytesOf(`v-${k}`)));
  for (let i = 0; i < 12; i++) {
    await sr.add();
    await sr.ring.clock.advance(1_000);
  }
  await sr.heal();
  t.is(sr.ring.live.length, 16);
  t.deepEqual(sr.misplaced(keys), []);
  const reader = sr.live[7]!;
  for (const k of keys) t.is(textOf(await sr.ring.settle(reader.get(k))), `v-${k}`);
  await sr.stop();
});
