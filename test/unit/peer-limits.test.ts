/** Per-peer limits as pure bookkeeping: token bucket, request ledger, store quota, log-once. */
import test from 'ava';
import { peerKey } from '../../src/transport/transport.js';
import { LimitLog } from '../../src/core/limit-log.js';
import { TokenBucket } from '../../src/core/token-bucket.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { StoreQuota } from '../../src/store/store-quota.js';
import { PeerLedger } from '../../src/transport/peer-ledger.js';

test('the token bucket allows a burst, then the rate', async (t) => {
  const clock = new VirtualClock();
  const b = new TokenBucket(10, 5, clock.now());
  let taken = 0;
  while (b.take(clock.now())) taken++;
  t.is(taken, 5, 'the burst');
  await clock.advance(100);
  t.true(b.take(clock.now()), 'one token 100 ms later at 10/s');
  t.false(b.take(clock.now()));
  await clock.advance(10_000);
  t.true(b.isFull(clock.now()), 'refills up to the burst, no further');
  taken = 0;
  while (b.take(clock.now())) taken++;
  t.is(taken, 5);
  t.true(new TokenBucket(0, 0, 0).take(0), 'rate 0: no limit');
});

test('the ledger refuses over rate, outstanding and bytes, per peer, and gives back on finish', async (t) => {
  const clock = new VirtualClock();
  const l = new PeerLedger({ requestsPerSecond: 100, maxOutstanding: 3, maxBytesInFlight: 1000 });
  t.is(l.admit('a', 600, clock.now()), null);
  t.is(l.admit('a', 600, clock.now()), 'bytes', 'a second request over the byte bound');
  t.is(l.admit('b', 600, clock.now()), null, 'another peer is not affected');
  t.is(l.admit('a', 100, clock.now()), null);
  l.addBytes('a', 250);
  t.is(l.admit('a', 100, clock.now()), 'bytes', 'reply bytes count until finished');
  t.deepEqual(l.usage('a'), { outstanding: 2, bytes: 950 });
  l.finish('a', 350);
  t.is(l.admit('a', 10, clock.now()), null);
  t.is(l.admit('a', 10, clock.now()), null);
  t.is(l.admit('a', 10, clock.now()), 'outstanding', 'three in service already');
  l.finish('a', 600);
  l.finish('a', 10);
  l.finish('a', 10);
  t.deepEqual(l.usage('a'), { outstanding: 0, bytes: 0 });
  t.is(l.admit('z', 5000, clock.now()), null, 'a lone request larger than the byte bound passes');
  // Rate: 100/s with the smallest burst, 100 (a tenth of a second's worth would be 10); the
  // outstanding bound is out of the way once each finishes.
  const r = new PeerLedger({ requestsPerSecond: 100, maxOutstanding: 0, maxBytesInFlight: 0 });
  let ok = 0;
  for (let i = 0; i < 150; i++) if (r.admit('x', 0, clock.now()) === null) ok++;
  t.is(ok, 100);
  t.is(r.admit('x', 0, clock.now()), 'rate');
  t.is(r.admit('y', 0, clock.now()), null, 'another peer has its own bucket');
  await clock.advance(50);
  ok = 0;
  for (let i = 0; i < 10; i++) if (r.admit('x', 0, clock.now()) === null) ok++;
  t.is(ok, 5, '5 tokens after 50 ms at 100/s');
});

test('the ledger forgets idle peers with full buckets, so its memory stays bounded', async (t) => {
  const clock = new VirtualClock();
  const l = new PeerLedger({ requestsPerSecond: 10 });
  for (let i = 0; i < 3000; i++) {
    t.is(l.admit(`p${i}`, 0, clock.now()), null);
    l.finish(`p${i}`, 0);
    await clock.advance(200);
  }
  t.true(l.size <= 1100, `${l.size} peers remembered`);
});

test('the quota charges per peer, counts rewrites once, moves overwritten keys, gives back drops and undone puts', (t) => {
  const q = new StoreQuota(100);
  q.charge('a', 'k1', 60);
  const e = t.throws(() => q.charge('a', 'k2', 50));
  t.is((e as { code?: string }).code, 'QUOTA');
  t.is(q.charged('a'), 60, 'a refused put charges nothing');
  q.charge('a', 'k1', 90);
  t.is(q.charged('a'), 90, 'rewriting one key charges the new size only');
  q.charge('b', 'k1', 10);
  t.is(q.charged('a'), 0, 'the key moved to the peer that rewrote it');
  t.is(q.charged('b'), 10);
  q.forget('k1');
  t.is(q.charged('b'), 0, 'a dropped key is given back');
  const undo = q.charge('a', 'k3', 100);
  undo();
  t.is(q.charged('a'), 0, 'a put that failed is given back');
  q.charge('a', 'k3', 100);
  t.is(new StoreQuota(0).charge('a', 'x', 1e12) instanceof Function, true, 'quota 0: no limit');
});

test('going over a limit is logged once per peer and kind a minute', async (t) => {
  const clock = new VirtualClock();
  const lines: string[] = [];
  const log = new LimitLog(
    (_l, _topic, m) => void lines.push(m),
    () => clock.now(),
  );
  for (let i = 0; i < 100; i++) log.note('peer-a', 'rate', 'a over rate');
  log.note('peer-b', 'rate', 'b over rate');
  log.note('peer-a', 'bytes', 'a over bytes');
  t.deepEqual(lines, ['a over rate', 'b over rate', 'a over bytes']);
  await clock.advance(59_999);
  t.false(log.note('peer-a', 'rate', 'a over rate'));
  await clock.advance(1);
  t.true(log.note('peer-a', 'rate', 'a over rate'));
  t.is(lines.at(-1), 'a over rate (100 more since the last line)');
  const small = new LimitLog(
    () => undefined,
    () => clock.now(),
    60_000,
    10,
  );
  for (let i = 0; i < 1000; i++) small.note(`p${i}`, 'rate', 'x');
  t.is(small.size, 10, 'keys beyond the bound are forgotten');
});

test('a peer sending as fast as it can is held to its rate from the start, not given a second’s worth on top', async (t) => {
  const clock = new VirtualClock();
  const l = new PeerLedger({ requestsPerSecond: 5000, maxOutstanding: 0, maxBytesInFlight: 0 });
  let admitted = 0;
  for (let ms = 0; ms < 1000; ms++) {
    while (l.admit('flooder', 0, clock.now()) === null) admitted++;
    await clock.advance(1);
  }
  // The rate plus a burst of a tenth of a second's worth; a burst of a second's worth would let 10,000 through.
  t.true(admitted <= 5500, `${admitted} admitted in one second at 5000/s`);
  t.true(admitted >= 5000, `${admitted} admitted: the rate itself is served`);
});

test('peers whose address claims are being checked are limited one by one, not per IP', (t) => {
  const a = { id: 'a', address: null, remote: '127.0.0.1', claimed: '127.0.0.1:5000' };
  const b = { id: 'b', address: null, remote: '127.0.0.1', claimed: '127.0.0.1:5001' };
  t.not(peerKey(a), peerKey(b));
  t.is(peerKey({ ...a, address: '127.0.0.1:5000', claimed: undefined }), '127.0.0.1:5000');
  t.is(peerKey({ id: 'c', address: null, remote: '127.0.0.1' }), 'ip 127.0.0.1', 'a client: its IP');
});
