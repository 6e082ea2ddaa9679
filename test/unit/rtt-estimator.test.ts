import test from 'ava';
import { RttEstimator } from '../../src/core/rtt-estimator.js';

const opts = { initialMs: 2000, floorMs: 500, ceilingMs: 10_000, capacity: 3 };

test('a peer not measured yet gets the initial timeout', (t) => {
  const e = new RttEstimator(opts);
  t.is(e.timeoutMs('a:1'), 2000);
  t.is(e.srttMs('a:1'), undefined);
});

test('the first sample sets SRTT = R and RTTVAR = R/2, so the timeout is 3R (RFC 6298 2.2)', (t) => {
  const e = new RttEstimator(opts);
  e.sample('a:1', 400);
  t.is(e.srttMs('a:1'), 400);
  t.is(e.timeoutMs('a:1'), 1200);
});

test('later samples smooth with gains 1/8 and 1/4', (t) => {
  const e = new RttEstimator(opts);
  e.sample('a:1', 400);
  e.sample('a:1', 800);
  // RTTVAR = 3/4·200 + 1/4·|400-800| = 250; SRTT = 7/8·400 + 1/8·800 = 450; RTO = 450 + 4·250.
  t.is(e.srttMs('a:1'), 450);
  t.is(e.timeoutMs('a:1'), 1450);
});

test('a 200 ms link keeps a timeout above its round trip; a fast peer sits at the floor', (t) => {
  const e = new RttEstimator(opts);
  for (let i = 0; i < 50; i++) e.sample('slow:1', 200 + (i % 5) * 10);
  for (let i = 0; i < 50; i++) e.sample('fast:1', 0.2);
  t.true(e.timeoutMs('slow:1') > 230, `slow link timeout ${e.timeoutMs('slow:1')}`);
  t.is(e.timeoutMs('fast:1'), 500);
});

test('a timeout doubles the timeout up to the ceiling; an answer brings it back', (t) => {
  const e = new RttEstimator(opts);
  e.sample('a:1', 100);
  t.is(e.timeoutMs('a:1'), 500);
  e.timedOut('a:1');
  t.is(e.timeoutMs('a:1'), 1000);
  for (let i = 0; i < 10; i++) e.timedOut('a:1');
  t.is(e.timeoutMs('a:1'), 10_000);
  e.sample('a:1', 100);
  t.true(e.timeoutMs('a:1') < 10_000);
  e.timedOut('new:1');
  t.is(e.timeoutMs('new:1'), 4000, 'an unmeasured peer backs off from the initial timeout');
  e.sample('new:1', 100);
  t.is(e.srttMs('new:1'), 100, 'its first answer is its first sample');
});

test('only `capacity` peers are remembered, the least recently used forgotten first', (t) => {
  const e = new RttEstimator(opts);
  e.sample('a:1', 1000);
  e.sample('b:1', 1000);
  e.sample('c:1', 1000);
  e.sample('a:1', 1000);
  e.sample('d:1', 1000);
  t.is(e.srttMs('b:1'), undefined);
  t.is(e.srttMs('a:1'), 1000);
  t.is(e.srttMs('c:1'), 1000);
});
