/** The choker: uploads go first to peers that upload to us; an optimistic slot lets a newcomer in. */
import test from 'ava';
import { Choker } from '../../src/files/choker.js';

/** Three peers each ask for `n` chunks at once; each upload takes one tick. Returns finish order. */
async function race(choker: Choker, peers: string[], n: number): Promise<string[]> {
  const finished: string[] = [];
  await Promise.all(
    peers.map(async (peer) => {
      await Promise.all(
        Array.from({ length: n }, async () => {
          const release = await choker.acquire(peer);
          await new Promise((r) => setImmediate(r));
          release();
        }),
      );
      finished.push(peer);
    }),
  );
  return finished;
}

test('peers that upload to us are served first; the freeloader still completes, last', async (t) => {
  const choker = new Choker({ slots: 2, concurrency: 2, now: () => 0 });
  choker.received('sharer-a', 1_000_000);
  choker.received('sharer-b', 500_000);
  const order = await race(choker, ['freeloader', 'sharer-a', 'sharer-b'], 20);
  t.is(order[2], 'freeloader', `finish order ${order.join(', ')}`);
  const states = Object.fromEntries(choker.states().map((s) => [s.peer, s]));
  t.false(states['sharer-a']!.choked);
  t.is(states['sharer-a']!.why, 'uploads to us');
});

test('a newcomer goes through the optimistic slot first, then waits behind sharers once its start is used', async (t) => {
  const choker = new Choker({ slots: 1, concurrency: 1, starterUploads: 2 });
  choker.received('sharer', 1000);
  const first = await choker.acquire('sharer');
  const order: string[] = [];
  const ask = (peer: string) => choker.acquire(peer).then((release) => (order.push(peer), release()));
  const all = [ask('sharer'), ask('newcomer'), ask('newcomer'), ask('newcomer'), ask('sharer')];
  const before = Object.fromEntries(choker.states().map((s) => [s.peer, s]));
  t.false(before.newcomer!.choked);
  t.is(before.newcomer!.state, 'optimistic');
  t.is(before.newcomer!.why, 'newcomer, 2 starter uploads left');
  first();
  await Promise.all(all);
  // Its two starter uploads first, then it waits behind the sharer.
  t.deepEqual(order, ['newcomer', 'newcomer', 'sharer', 'sharer', 'newcomer']);
  const after = Object.fromEntries(choker.states().map((s) => [s.peer, s]));
  t.true(after.newcomer!.choked);
  t.is(after.newcomer!.state, 'choked');
  t.is(after.newcomer!.why, 'never uploads to us');
});

test('credit decays: what counts is what a peer gave lately', (t) => {
  let now = 0;
  const choker = new Choker({ slots: 1, halfLifeMs: 1000, starterUploads: 0, now: () => now });
  choker.received('old-friend', 1000);
  now = 10_000;
  choker.received('new-friend', 10);
  const states = Object.fromEntries(choker.states().map((s) => [s.peer, s]));
  t.false(states['new-friend']!.choked);
  t.true(states['old-friend']!.choked);
  t.is(states['old-friend']!.why, 'slots full: 1 peer gave more lately');
});

test('never more uploads at once than the concurrency', async (t) => {
  const choker = new Choker({ concurrency: 3 });
  let running = 0;
  let peak = 0;
  await Promise.all(
    Array.from({ length: 40 }, async (_, i) => {
      const release = await choker.acquire(`p${i % 5}`);
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 1));
      running--;
      release();
    }),
  );
  t.is(peak, 3);
});
