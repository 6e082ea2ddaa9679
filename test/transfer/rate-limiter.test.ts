import test from 'ava';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { RateLimiter } from '../../src/transfer/rate-limiter.js';

const KiB = 1024;
const MiB = 1024 * KiB;

async function timeToPass(clock: VirtualClock, limiter: RateLimiter, total: number, piece: number): Promise<number> {
  let done = false;
  const start = clock.now();
  const task = (async () => {
    for (let sent = 0; sent < total; sent += piece) await limiter.take(piece);
    done = true;
  })();
  await clock.runUntil(() => done, 60_000, 5);
  await task;
  return clock.now() - start;
}

test('limits a stream of takes to roughly the rate (virtual clock)', async (t) => {
  const clock = new VirtualClock();
  const limiter = new RateLimiter({ rateBps: 1 * MiB, burstBytes: 64 * KiB, clock });
  const ms = await timeToPass(clock, limiter, 4 * MiB, 64 * KiB);
  // (4 MiB - 64 KiB burst) at 1 MiB/s = 3.94 s, plus the stepping granularity.
  t.true(ms >= 3_900 && ms <= 4_100, `took ${ms} ms`);
});

test('takes larger than the bucket are allowed and paid for by waiting', async (t) => {
  const clock = new VirtualClock();
  const limiter = new RateLimiter({ rateBps: 100 * KiB, burstBytes: 16 * KiB, clock });
  const ms = await timeToPass(clock, limiter, 1 * MiB, 256 * KiB);
  t.true(ms >= 9_800 && ms <= 10_300, `took ${ms} ms`);
});

test('concurrent takers share the rate', async (t) => {
  const clock = new VirtualClock();
  const limiter = new RateLimiter({ rateBps: 1 * MiB, burstBytes: 64 * KiB, clock });
  let finished = 0;
  const one = async (): Promise<void> => {
    for (let i = 0; i < 16; i++) await limiter.take(64 * KiB);
    finished++;
  };
  const tasks = [one(), one()];
  await clock.runUntil(() => finished === 2, 60_000, 5);
  await Promise.all(tasks);
  t.true(clock.now() >= 1_900 && clock.now() <= 2_100, `took ${clock.now()} ms`);
});

test('rate 0 is unlimited', async (t) => {
  const clock = new VirtualClock();
  const limiter = new RateLimiter({ clock });
  for (let i = 0; i < 100; i++) await limiter.take(10 * MiB);
  t.is(clock.now(), 0);
});

test('an aborted take rejects and refunds its tokens', async (t) => {
  const clock = new VirtualClock();
  const limiter = new RateLimiter({ rateBps: 1 * MiB, burstBytes: 64 * KiB, clock });
  await limiter.take(64 * KiB);
  const ac = new AbortController();
  const waiting = limiter.take(10 * MiB, ac.signal);
  ac.abort();
  await t.throwsAsync(waiting, { message: /abort/ });
  const ms = await timeToPass(clock, limiter, 1 * MiB, 64 * KiB);
  t.true(ms <= 1_100, `the refund was not applied: ${ms} ms`);
});

test('going unlimited releases waiters', async (t) => {
  const clock = new VirtualClock();
  const limiter = new RateLimiter({ rateBps: 1 * KiB, burstBytes: 1 * KiB, clock });
  const waiting = limiter.take(1 * MiB);
  limiter.setRate(0);
  await waiting;
  t.is(limiter.rateBps, 0);
});
