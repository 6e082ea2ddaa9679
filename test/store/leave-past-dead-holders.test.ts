/**
 * A leaver whose successor list still names nodes that died (churn: the list is a round old)
 * hands its entries to the next live nodes past them, so they stay at r copies once it is gone.
 */
import test from 'ava';
import type { ChordNode } from '../../src/dht/chord-node.js';
import { StoreRing, bytesOf } from './helpers.js';

test('a leave skips dead successors and copies to the live ones after them', async (t) => {
  const sr = new StoreRing({ seed: 13, stabilizeMs: 500 });
  await sr.addSequential(8);
  await sr.ready();
  const leaver = sr.ring.live[1]!;
  const own = sr.keysOwnedBy(leaver, 4, 'kept-');
  t.is(own.length, 4, 'keys the leaver owns');
  const store = (n: ChordNode) => sr.stores.get(n)!;
  for (const k of own) await sr.ring.settle(store(leaver).put(k, bytesOf(`value of ${k}`)));
  await sr.heal();
  const sorted = [...sr.ring.live].sort((a, b) => (a.self.id < b.self.id ? -1 : 1));
  const after = (k: number) => sorted[(sorted.indexOf(leaver) + k) % sorted.length]!;
  const [s1, s2, s3, s4, s5] = [after(1), after(2), after(3), after(4), after(5)];

  // The second and third successors die; the leaver leaves before a round has noticed.
  await sr.crash(s2);
  await sr.crash(s3);
  const sentTo = new Map<string, Set<string>>();
  sr.ring.network.onSend = (from, to, type, body) => {
    if (from !== leaver.self.address || type !== 'store_put') return;
    const keys = sentTo.get(to) ?? new Set<string>();
    sentTo.set(to, keys.add((body as { key: string }).key));
  };
  await sr.leave(leaver);
  sr.ring.network.onSend = null;

  for (const k of own) t.true(store(s1).has(k), `${k}: the successor holds it`);
  for (const n of [s4, s5])
    t.deepEqual(
      [...(sentTo.get(n.self.address) ?? [])].sort(),
      [...own].sort(),
      `the leaver copied all to ${n.self.address}`,
    );
  for (const k of own) t.true(sr.copies(k).length >= 3, `${k} is on three live nodes`);
  await sr.stop();
});
