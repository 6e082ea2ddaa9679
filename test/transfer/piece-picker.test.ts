import test from 'ava';
import { PiecePicker } from '../../src/transfer/piece-picker.js';
import { seededRng } from './helpers.js';

const all = (): boolean => true;
const range = (lo: number, hi: number) => (i: number) => i >= lo && i < hi;

test('rarest first: a chunk only one source has is picked before common ones', (t) => {
  const p = new PiecePicker({ count: 10, pipeline: 5, rng: seededRng(1) });
  p.addSource('a', all);
  p.addSource('b', range(0, 5)); // chunks 5..9 are only at a
  const picked = [p.pick('a'), p.pick('a'), p.pick('a'), p.pick('a'), p.pick('a')];
  t.true(
    picked.every((i) => i !== undefined && i >= 5),
    `a picked ${picked}`,
  );
  t.true([p.pick('b'), p.pick('b')].every((i) => i !== undefined && i < 5));
});

test('random tie-break comes from the injected RNG (reproducible)', (t) => {
  const run = (seed: number): (number | undefined)[] => {
    const p = new PiecePicker({ count: 64, pipeline: 8, rng: seededRng(seed) });
    p.addSource('a', all);
    return Array.from({ length: 8 }, () => p.pick('a'));
  };
  t.deepEqual(run(7), run(7));
  t.notDeepEqual(run(7), run(8));
});

test('pipeline caps the chunks in flight per source', (t) => {
  const p = new PiecePicker({ count: 20, pipeline: 3 });
  p.addSource('a', all);
  const got = [p.pick('a'), p.pick('a'), p.pick('a'), p.pick('a')];
  t.is(got.filter((i) => i !== undefined).length, 3);
  t.is(got[3], undefined);
  p.complete(got[0]!, 'a');
  t.not(p.pick('a'), undefined);
  t.is(p.inflightOf('a').length, 3);
});

test('no chunk is given to two sources before the endgame', (t) => {
  const p = new PiecePicker({ count: 12, pipeline: 4, rng: seededRng(3) });
  for (const id of ['a', 'b', 'c']) p.addSource(id, all);
  const seen = new Set<number>();
  for (let k = 0; k < 12; k++) {
    const i = p.pick(['a', 'b', 'c'][k % 3]!);
    t.not(i, undefined);
    t.false(seen.has(i!));
    seen.add(i!);
  }
});

test('endgame: the last in-flight chunks are requested from other sources too; the first copy wins', (t) => {
  const p = new PiecePicker({ count: 4, pipeline: 4, rng: seededRng(5) });
  p.addSource('slow', all);
  const mine = [p.pick('slow'), p.pick('slow'), p.pick('slow'), p.pick('slow')];
  t.deepEqual([...mine].sort(), [0, 1, 2, 3]);
  p.addSource('fast', all);
  const dup = p.pick('fast'); // nothing wanted: endgame duplicates an in-flight chunk
  t.not(dup, undefined);
  t.true(mine.includes(dup));
  const cancel = p.complete(dup!, 'fast');
  t.deepEqual(cancel, ['slow']); // the slow copy must be cancelled
  t.false(p.inflightOf('slow').includes(dup!));
  t.is(p.complete(dup!, 'slow').length, 0); // a late copy is ignored
  t.is(p.remaining, 3);
});

test('endgame prefers the chunks with the fewest requesters', (t) => {
  const p = new PiecePicker({ count: 2, pipeline: 2, rng: seededRng(9) });
  p.addSource('a', all);
  p.addSource('b', all);
  p.addSource('c', all);
  const a0 = p.pick('a')!;
  const a1 = p.pick('a')!;
  const b = p.pick('b')!; // endgame: one of a0/a1
  const c = p.pick('c')!; // the other one, which has a single requester
  t.deepEqual(new Set([b, c]), new Set([a0, a1]));
});

test('removing a source releases its chunks and updates availability', (t) => {
  const p = new PiecePicker({ count: 6, pipeline: 2 });
  p.addSource('a', all);
  p.addSource('b', range(0, 3));
  const inflight = [p.pick('a')!, p.pick('a')!];
  t.deepEqual(p.removeSource('a').sort(), inflight.sort());
  t.deepEqual(p.liveSources, ['b']);
  t.is(p.missing(), 3); // chunks 3..5 are now held by no live source
});

test('a failed chunk avoids the source that failed it while others can take it', (t) => {
  const p = new PiecePicker({ count: 1, pipeline: 1 });
  p.addSource('a', all);
  p.addSource('b', all);
  t.is(p.pick('a'), 0);
  p.release(0, 'a', true);
  t.is(p.pick('a'), 0); // nothing else to do: retried by a anyway
  p.release(0, 'a', true);
  t.is(p.pick('b'), 0);
});

test('reopen makes done chunks wanted again; markDone resumes', (t) => {
  const p = new PiecePicker({ count: 3, pipeline: 3 });
  p.markDone(0);
  p.markDone(1);
  p.addSource('a', all);
  t.is(p.pick('a'), 2);
  p.complete(2, 'a');
  t.true(p.isComplete);
  p.reopen([1]);
  t.false(p.isComplete);
  t.is(p.pick('a'), 1);
});

test('picking stays fast on a large file (131,072 chunks)', (t) => {
  const count = 131_072;
  const p = new PiecePicker({ count, pipeline: 4, rng: seededRng(2) });
  for (const id of ['a', 'b', 'c', 'd']) p.addSource(id, all);
  const start = performance.now();
  for (let k = 0; k < count; k++) {
    const id = ['a', 'b', 'c', 'd'][k % 4]!;
    const i = p.pick(id);
    if (i === undefined) t.fail(`nothing picked at ${k}`);
    else p.complete(i, id);
  }
  t.true(p.isComplete);
  t.log(`${(performance.now() - start).toFixed(0)} ms for ${count} picks`);
  t.true(performance.now() - start < 5_000);
});
