/**
 * A leaver's hand-off to the nodes after its successor: one that is slow (a loaded process
 * answering each copy a second late) still gets every copy before the leave returns; what a
 * leaver has not sent when it goes leaves with it.
 */
import test from 'ava';
import type { ChordNode } from '../../src/dht/chord-node.js';
import { PUSH_PARALLEL } from '../../src/store/store-constants.js';
import { StoreRing, bytesOf } from './helpers.js';

test('a slow third holder gets every copy of a leaver before it goes', async (t) => {
  const sr = new StoreRing({ seed: 9, stabilizeMs: 500 });
  await sr.addSequential(6);
  await sr.ready();
  const leaver = sr.ring.live[2]!;
  const own = sr.keysOwnedBy(leaver, 2 * PUSH_PARALLEL, 'own-');
  t.is(own.length, 2 * PUSH_PARALLEL, 'keys the leaver owns, two batches of copies');
  const store = (n: ChordNode) => sr.stores.get(n)!;
  for (const k of own) await sr.ring.settle(store(leaver).put(k, bytesOf(`value of ${k}`)));
  await sr.heal();
  // Once the leaver is gone these keys belong on its next three nodes; the third has none yet.
  const sorted = [...sr.ring.live].sort((a, b) => (a.self.id < b.self.id ? -1 : 1));
  const third = sorted[(sorted.indexOf(leaver) + 3) % sorted.length]!;
  t.true(
    own.every((k) => !store(third).has(k)),
    'the third node after the leaver holds none of them',
  );

  const copies: string[] = [];
  sr.ring.network.onSend = (from, to, type, body) => {
    if (from === leaver.self.address && to === third.self.address && type === 'store_put')
      copies.push((body as { key: string }).key);
  };
  sr.ring.network.slow(third.self.address, 1000);
  await sr.leave(leaver);
  sr.ring.network.onSend = null;
  t.deepEqual([...new Set(copies)].sort(), [...own].sort(), 'the leaver sent it every copy before its leave returned');
  sr.ring.network.slow(third.self.address, 0);
  await sr.ring.clock.advance(2_000);
  t.true(
    own.every((k) => store(third).has(k)),
    'and it holds them',
  );
  await sr.stop();
});
