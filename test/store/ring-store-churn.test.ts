import test from 'ava';
import { P2pError } from '../../src/wire/errors.js';
import { HANDOFF_RETRY_ROUNDS, PUSH_PARALLEL } from '../../src/store/store-constants.js';
import { StoreRing, bytesOf, textOf } from './helpers.js';

const keys = Array.from({ length: 80 }, (_, i) => `doc-${i}`);

async function filledRing(seed: number, n: number): Promise<StoreRing> {
  const sr = new StoreRing({ seed });
  await sr.addSequential(n);
  await sr.ready();
  for (const [i, k] of keys.entries()) await sr.ring.settle(sr.live[i % n]!.put(k, bytesOf(`v-${k}`)));
  return sr;
}

async function readAll(sr: StoreRing, readers = 3): Promise<string[]> {
  const bad: string[] = [];
  for (let i = 0; i < readers; i++) {
    const reader = sr.live[(i * 7) % sr.live.length]!;
    for (const k of keys) {
      const v = await sr.ring.settle(reader.get(k)).then(textOf, (e: Error) => e.message);
      if (v !== `v-${k}`) bad.push(`${k}: ${v}`);
    }
  }
  return bad;
}

test('half the ring leaves gracefully, one right after another: nothing is lost', async (t) => {
  const sr = await filledRing(41, 20);
  t.deepEqual(sr.misplaced(keys), []);
  for (let i = 0; i < 10; i++) await sr.leave(sr.ring.pick(sr.ring.live));
  t.is(sr.ring.live.length, 10);
  t.true(
    keys.every((k) => sr.copies(k).length >= 1),
    'every key still has a live copy before any repair',
  );
  t.deepEqual(await readAll(sr), []);
  await sr.heal();
  t.deepEqual(sr.misplaced(keys), [], 'back to exactly r copies on the right nodes');
  await sr.stop();
});

test('a leave fails, keeping the node in the ring, when no successor takes its entries', async (t) => {
  const sr = await filledRing(42, 3);
  const [a, b, c] = sr.ring.live;
  await sr.crash(b!);
  await sr.crash(c!);
  const retries: number[] = [];
  a!.bus.on('log:line', (l) => l.message.startsWith('hand-off attempt') && retries.push(l.at));
  const started = sr.ring.clock.now();
  const e = await t.throwsAsync(sr.ring.settle(a!.leave()));
  // Each attempt waits out timeouts on the dead successors: no attempt starts once the
  // attempts so far took HANDOFF_RETRY_ROUNDS rounds (a third one would have, here).
  t.true(retries.length > 0, 'retried once');
  t.true(
    retries.every((at) => at - started < HANDOFF_RETRY_ROUNDS * 500),
    `retries at ${retries.map((at) => at - started)} ms`,
  );
  t.is((e as { code?: string }).code, 'UNAVAILABLE');
  t.true(a!.member, 'still in the ring');
  await sr.stop();
});

test('a leave whose successor list went stale refreshes it and hands its entries to the next live node', async (t) => {
  // Successor lists of 3: crashing a node's three successors at once leaves it none alive in
  // its list; its hand-off must not give up before a stabilization round finds the next node.
  const sr = new StoreRing({ seed: 47, successors: 3 });
  await sr.addSequential(10);
  await sr.ready();
  for (const [i, k] of keys.entries()) await sr.ring.settle(sr.live[i % 10]!.put(k, bytesOf(`v-${k}`)));
  const sorted = [...sr.ring.live].sort((x, y) => (x.self.id < y.self.id ? -1 : 1));
  const [leaver, ...after] = sorted;
  for (const dead of after.slice(0, 3)) await sr.crash(dead);
  const held = keys.filter((k) => sr.copies(k).some((n) => n === leaver));
  t.true(held.length > 0);
  await sr.ring.settle(leaver!.leave());
  t.false(leaver!.member, 'the leave went through');
  const stranded = held.filter((k) => sr.copies(k).length === 0);
  t.deepEqual(stranded, [], 'every entry it held has a copy on a live member');
  await sr.stop();
});

test('a hand-off stops sending to a successor once it refused a copy, and hands everything to the next', async (t) => {
  const sr = await filledRing(48, 8);
  const sorted = [...sr.ring.live].sort((x, y) => (x.self.id < y.self.id ? -1 : 1));
  const [leaver, refuser] = sorted as [(typeof sorted)[0], (typeof sorted)[0]];
  // The successor lists every entry as missing but refuses each copy (as an overloaded or
  // leaving peer does); it is asked for at most one round of parallel copies.
  let puts = 0;
  refuser.handle('store_sync', async (b) => ({ missing: b.entries.map((_, i) => i), differ: [] }));
  refuser.handle('store_put', async () => {
    puts++;
    throw new P2pError('BUSY', 'refusing copies');
  });
  const held = keys.filter((k) => sr.copies(k).includes(leaver));
  t.true(held.length > PUSH_PARALLEL, `the leaver holds ${held.length} entries`);
  await sr.ring.settle(leaver.leave());
  t.true(puts <= PUSH_PARALLEL, `${puts} copies sent to the refusing successor`);
  t.deepEqual(
    held.filter((k) => sr.copies(k).filter((n) => n !== refuser).length === 0),
    [],
    'every entry it held has a copy on another live member',
  );
  await sr.stop();
});

// Crash r-1 = 2 of a key's 3 holders at once (owner+first, first+second, owner+second).
for (const [name, pick] of [
  ['the owner and its first successor', [0, 1]],
  ['both replicas', [1, 2]],
  ['the owner and the second replica', [0, 2]],
] as const) {
  test(`crashing ${name} of a key keeps every key readable; repair restores r copies`, async (t) => {
    const sr = await filledRing(43 + pick[0] + pick[1], 16);
    await sr.heal();
    for (const round of [0, 1]) {
      const victimKey = keys[round * 17]!;
      const holders = sr.expectedHolders(victimKey);
      for (const i of pick) await sr.crash(holders[i]!);
      t.is(sr.copies(victimKey).length, 1, `round ${round}: one copy of ${victimKey} is left`);
      t.deepEqual(await readAll(sr, 2), [], `round ${round}: every key readable before repair`);
      await sr.heal();
      t.deepEqual(sr.misplaced(keys), [], `round ${round}: every key back on exactly r live holders`);
      t.true(keys.every((k) => sr.copies(k).length === 3));
    }
    await sr.stop();
  });
}

test('a put during a crash of the owner is retried on the new owner and reaches r copies', async (t) => {
  const sr = await filledRing(47, 8);
  const key = 'late.txt';
  const [owner] = sr.expectedHolders(key);
  await sr.crash(owner!);
  const writer = sr.live.find((s) => s.node !== owner)!;
  const res = await sr.ring.settle(writer.put(key, bytesOf('late')));
  t.is(res.holders.length, 3);
  t.false(res.holders.some((h) => h.address === owner!.self.address));
  await sr.heal();
  t.deepEqual(sr.misplaced([...keys, key]), []);
  await sr.stop();
});

test('a node that left but is still up takes no copies and confirms none (peers must not count on it)', async (t) => {
  const sr = await filledRing(44, 6);
  const key = keys[5]!;
  const leaver = sr.copies(key)[0]!;
  const store = sr.stores.get(leaver)!;
  await sr.ring.settle(leaver.leave());
  t.false(leaver.member);
  const asker = sr.ring.live[0]!;
  const digest = store.blobs.meta(key)!.digest;
  const ask = <T>(p: Promise<T>) =>
    sr.ring.settle(p).then(
      () => 'answered',
      (e: { code?: string }) => e.code,
    );
  t.is(await ask(asker.request(leaver.self.address, 'store_sync', { entries: [{ key, digest }] })), 'NOT_IN_RING');
  const copy = { key: 'late', kind: 'value' as const, value: bytesOf('x'), replica: 1 };
  t.is(await ask(asker.request(leaver.self.address, 'store_put', copy)), 'NOT_IN_RING');
  t.false(store.has('late'), 'nothing stored');
  t.deepEqual(await readAll(sr, 2), [], 'every key still readable from the ring');
  await sr.stop();
});

/**
 * A filled ring of six with latency (a hand-off then takes round trips: a request sent as a
 * leave starts arrives while it is still under way), a holder of one key to leave, and a peer
 * to ask it; `why` turns a request's outcome into "answered" or "CODE: message".
 */
async function leaverOfSix(seed: number) {
  const sr = new StoreRing({ seed, latencyMs: 20 });
  await sr.addSequential(6);
  await sr.ready();
  for (const [i, k] of keys.entries()) await sr.ring.settle(sr.live[i % 6]!.put(k, bytesOf(`v-${k}`)));
  const key = keys[5]!;
  const leaver = sr.copies(key)[0]!;
  const store = sr.stores.get(leaver)!;
  const asker = sr.ring.live.find((n) => n !== leaver)!;
  const digest = store.blobs.meta(key)!.digest;
  const why = <T>(p: Promise<T>) =>
    p.then(
      () => 'answered',
      (e: Error & { code?: string }) => `${e.code}: ${e.message}`,
    );
  return { sr, key, leaver, store, asker, digest, why };
}

test('a node whose leave is under way hands on the copies it takes meanwhile, then takes none', async (t) => {
  const { sr, key, leaver, asker, digest, why } = await leaverOfSix(45);
  const leave = leaver.leave();
  t.true(leaver.leaving, 'leaving from the start of the leave');
  const copy = { key: 'late', kind: 'value' as const, value: bytesOf('late'), replica: 1 };
  const [sync, put] = await sr.ring.settle(
    Promise.all([
      why(asker.request(leaver.self.address, 'store_sync', { entries: [{ key, digest }] })),
      why(asker.request(leaver.self.address, 'store_put', copy)),
    ]),
  );
  // Taken while handing on: another leaver next to it is not refused.
  t.is(sync, 'answered');
  t.is(put, 'answered');
  await sr.ring.settle(leave);
  t.false(leaver.member);
  t.false(leaver.leaving);
  // Only the leaver was sent the copy: a live member holding it shows the leaver took it and
  // handed it on (the leaver itself may drop it once its holders have it).
  t.true(
    sr.copies('late').some((n) => n !== leaver),
    'it took the copy and handed it on before it left (a live member holds it)',
  );
  t.deepEqual(await readAll(sr, 2), [], 'every key still readable from the ring');
  await sr.stop();
});

test('a leaver in its last pass takes no copies and confirms none: they would leave with it', async (t) => {
  const { sr, key, leaver, store, asker, digest, why } = await leaverOfSix(46);
  // The last pass: a copy taken during the hand-off is on its way on; ask as it starts.
  const copy = { key: 'early', kind: 'value' as const, value: bytesOf('early'), replica: 1 };
  const leave = leaver.leave();
  await sr.ring.settle(asker.request(leaver.self.address, 'store_put', copy));
  await sr.ring.settle(
    new Promise<void>((done) => {
      const check = () =>
        (store as unknown as { ctx: { sealed: boolean } }).ctx.sealed ? done() : setTimeout(check, 0);
      check();
    }),
    1,
  );
  const late = { key: 'late', kind: 'value' as const, value: bytesOf('x'), replica: 1 };
  const [sync, put] = await sr.ring.settle(
    Promise.all([
      why(asker.request(leaver.self.address, 'store_sync', { entries: [{ key, digest }] })),
      why(asker.request(leaver.self.address, 'store_put', late)),
    ]),
  );
  t.regex(sync, /^NOT_IN_RING: .* is leaving the ring/);
  t.regex(put, /^NOT_IN_RING: .* is leaving the ring/);
  await sr.ring.settle(leave);
  t.false(store.has('late'), 'nothing stored');
  t.true(sr.copies('early').some((n) => n !== leaver));
  await sr.stop();
});

test('an entry a leaver confirms holding during its hand-off goes on in its last pass (the asker may drop its own copy)', async (t) => {
  const { sr, key, leaver, store, asker, digest, why } = await leaverOfSix(48);
  const leave = leaver.leave();
  const sync = await sr.ring.settle(
    why(asker.request(leaver.self.address, 'store_sync', { entries: [{ key, digest }] })),
  );
  t.is(sync, 'answered');
  const arrivals = (store as unknown as { ctx: { arrivals: Set<string> | null } }).ctx.arrivals;
  t.true(arrivals?.has(key), 'counted with what the last pass hands on');
  await sr.ring.settle(leave);
  t.false(leaver.member);
  t.true(sr.copies(key).some((n) => n !== leaver));
  await sr.stop();
});
