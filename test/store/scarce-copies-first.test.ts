/**
 * Maintenance sends a holder the copies fewest holders have first: a holder that stops
 * answering part-way through (an overloaded or dying peer) then misses copies that others
 * still hold, not the ones only this node has.
 */
import test from 'ava';
import { hashId, inHalfOpen } from '../../src/core/ring-math.js';
import type { ChordNode } from '../../src/dht/chord-node.js';
import { StoreRing, bytesOf } from './helpers.js';

test('a holder missing everything gets the copies the other holder lacks too first', async (t) => {
  const sr = new StoreRing({ seed: 5 });
  await sr.addSequential(6);
  await sr.ready();
  const owner = sr.ring.live[0]!;
  const mine = sr.keysOwnedBy(owner, 8, 'scarce-');
  t.is(mine.length, 8, 'eight keys owned by one node');
  const store = (n: ChordNode) => sr.stores.get(n)!;
  for (const k of mine) await sr.ring.settle(store(owner).put(k, bytesOf(`value of ${k}`)));
  await sr.heal();
  const [, b, c] = sr.expectedHolders(mine[0]!);
  t.deepEqual(sr.copies(mine[0]!).length, 3);

  // In ring order from the owner's predecessor: the later half is what the third holder loses.
  const ids = sr.ring.live.map((n) => n.self.id).sort((x, y) => (x < y ? -1 : 1));
  const pred = ids[(ids.indexOf(owner.self.id) + ids.length - 1) % ids.length]!;
  const ringOrder = [...mine].sort((x, y) => Number(dist(pred, x) - dist(pred, y)));
  const lostOnC = new Set(ringOrder.slice(4));
  for (const k of mine) await store(b!).blobs.delete(k);
  for (const k of lostOnC) await store(c!).blobs.delete(k);

  const sentToB: string[] = [];
  sr.ring.network.onSend = (from, to, type, body) => {
    if (from === owner.self.address && to === b!.self.address && type === 'store_put')
      sentToB.push((body as { key: string }).key);
  };
  await sr.ring.settle(store(owner).maintain());
  sr.ring.network.onSend = null;

  t.is(sentToB.length, 8, 'every copy the holder lacked was sent');
  t.deepEqual(new Set(sentToB.slice(0, 4)), lostOnC, 'the copies only the owner had went first');
  for (const k of mine) t.is(sr.copies(k).length, 3, `${k} is on its three holders again`);
  await sr.stop();

  function dist(from: bigint, key: string): bigint {
    const id = hashId(key, 160);
    t.true(inHalfOpen(id, from, owner.self.id));
    return (id - from + (1n << 160n)) % (1n << 160n);
  }
});
