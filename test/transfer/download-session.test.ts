import { existsSync } from 'node:fs';
import { access, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { FileChunkSource } from '../../src/transfer/chunk-reader.js';
import {
  DownloadSession,
  type ChunkSource,
  type DownloadProgress,
  type SourceDropped,
} from '../../src/transfer/download-session.js';
import { HashPool } from '../../src/transfer/hash-pool.js';
import { buildManifest, type Manifest } from '../../src/transfer/manifest.js';
import { RateLimiter } from '../../src/transfer/rate-limiter.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { RemoteError } from '../../src/wire/errors.js';
import { MemorySource, randomFile, seededRng, sleep, tempDir } from './helpers.js';

const KiB = 1024;
const pool = new HashPool(2);
test.after.always(() => pool.close());

const exists = (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false,
  );

async function fixture(t: Parameters<typeof tempDir>[0], size: number, chunkSize = 16 * KiB) {
  const src = await tempDir(t);
  const out = await tempDir(t);
  const { path, data } = await randomFile(src, 'file.bin', size);
  const manifest = await buildManifest(path, { chunkSize });
  return { path, data, manifest, out };
}

function session(manifest: Manifest, out: string, sources: ChunkSource[], extra: object = {}) {
  const s = new DownloadSession({ manifest, dir: out, sources, hashPool: pool, rng: seededRng(42), ...extra });
  const dropped: SourceDropped[] = [];
  const progress: DownloadProgress[] = [];
  s.on('source-dropped', (d) => dropped.push(d));
  s.on('progress', (p) => progress.push(p));
  return { s, dropped, progress };
}

test('3 sources, one serving corrupted chunks: the file is right and the bad source dropped', async (t) => {
  const { data, manifest, out } = await fixture(t, 40 * 16 * KiB + 5);
  const good1 = new MemorySource('good1', data, manifest, { delayMs: 1 });
  const good2 = new MemorySource('good2', data, manifest, { delayMs: 1 });
  const evil = new MemorySource('evil', data, manifest, { corrupt: () => true });
  const { s, dropped } = session(manifest, out, [good1, evil, good2]);
  const r = await s.run();
  t.true((await readFile(r.path)).equals(data));
  t.is(r.sha256, manifest.sha256);
  t.deepEqual(
    dropped.map((d) => [d.id, d.state, d.code]),
    [['evil', 'dropped', 'BAD_CHUNK']],
  );
  t.true(evil.fetches <= 4, 'the evil source was asked for at most its first pipeline');
  t.deepEqual(await readdir(out), ['file.bin']);
});

test('a source sending the wrong number of bytes is dropped too', async (t) => {
  const { data, manifest, out } = await fixture(t, 8 * 16 * KiB);
  const short: ChunkSource = { id: 'short', has: () => true, fetch: async () => new Uint8Array(10) };
  const { s, dropped } = session(manifest, out, [short, new MemorySource('ok', data, manifest, { delayMs: 2 })]);
  const r = await s.run();
  t.true((await readFile(r.path)).equals(data));
  t.is(dropped[0]?.id, 'short');
});

test('a source that dies mid-transfer: the others finish the file', async (t) => {
  const { data, manifest, out } = await fixture(t, 32 * 16 * KiB);
  const dying = new MemorySource('dying', data, manifest, { dieAfter: 6 });
  const ok = new MemorySource('ok', data, manifest, { delayMs: 2 });
  const { s, dropped } = session(manifest, out, [dying, ok]);
  const r = await s.run();
  t.true((await readFile(r.path)).equals(data));
  t.deepEqual(
    dropped.map((d) => [d.id, d.state]),
    [['dying', 'failed']],
  );
});

test('when the only source dies the run fails with NO_SOURCES and nothing has the final name', async (t) => {
  const { data, manifest, out } = await fixture(t, 16 * 16 * KiB);
  const { s } = session(manifest, out, [new MemorySource('dying', data, manifest, { dieAfter: 5 })]);
  const e = await t.throwsAsync(s.run());
  t.is((e as { code?: string }).code, 'NO_SOURCES');
  t.false(await exists(join(out, 'file.bin')));
  t.true(await exists(join(out, 'file.bin.part')));
});

test('a chunk no source has fails at once with UNAVAILABLE', async (t) => {
  const { data, manifest, out } = await fixture(t, 8 * 16 * KiB);
  const half = new MemorySource('half', data, manifest, { has: (i) => i < 4 });
  const e = await t.throwsAsync(session(manifest, out, [half]).s.run());
  t.is((e as { code?: string }).code, 'UNAVAILABLE');
  t.is(half.fetches, 0);
  const none = await t.throwsAsync(session(manifest, out, []).s.run());
  t.is((none as { code?: string }).code, 'NO_SOURCES');
});

test('chunks spread over partial sources are all fetched, each from a source that has it', async (t) => {
  const { data, manifest, out } = await fixture(t, 30 * 16 * KiB);
  const low = new MemorySource('low', data, manifest, { has: (i) => i < 20 });
  const high = new MemorySource('high', data, manifest, { has: (i) => i >= 10 });
  const r = await session(manifest, out, [low, high]).s.run();
  t.true((await readFile(r.path)).equals(data));
  t.true(low.fetched.every((i) => i < 20));
  t.true(high.fetched.every((i) => i >= 10));
});

test('resume after an abort fetches fewer chunks and gives a byte-identical file', async (t) => {
  const { data, manifest, out } = await fixture(t, 64 * 16 * KiB + 999);
  const ac = new AbortController();
  const first = new MemorySource('a', data, manifest, {
    delayMs: 1,
    onFetch: () => void (first.fetches === 30 && ac.abort()),
  });
  const e = await t.throwsAsync(session(manifest, out, [first]).s.run(ac.signal));
  t.is((e as { code?: string }).code, 'ABORTED');
  t.false(await exists(join(out, 'file.bin')));
  const second = new MemorySource('b', data, manifest);
  const r = await session(manifest, out, [second]).s.run();
  t.true(r.resumedChunks > 0);
  t.true(second.fetches < manifest.chunks.length, `fetched ${second.fetches} of ${manifest.chunks.length}`);
  t.is(r.fetchedChunks + r.resumedChunks, manifest.chunks.length);
  t.true((await readFile(r.path)).equals(data));
  t.deepEqual(await readdir(out), ['file.bin']);
});

test('the file never appears under its final name while incomplete', async (t) => {
  const { data, manifest, out } = await fixture(t, 24 * 16 * KiB);
  const final = join(out, 'file.bin');
  const seen: boolean[] = [];
  const watcher = new MemorySource('w', data, manifest, { onFetch: () => void seen.push(existsSync(final)) });
  const { s, progress } = session(manifest, out, [watcher], { pipeline: 2 });
  s.on('progress', (p) => void (!p.done && seen.push(existsSync(final))));
  await s.run();
  t.true(seen.length > 0);
  t.false(seen.includes(true));
  t.true(progress.at(-1)!.done);
});

test('endgame: a slow source does not hold up the last chunks', async (t) => {
  const { data, manifest, out } = await fixture(t, 12 * 16 * KiB);
  let cancelled = 0;
  const slow: ChunkSource = {
    id: 'slow',
    has: () => true,
    fetch: (_i, signal) =>
      new Promise((_resolve, reject) => signal.addEventListener('abort', () => (cancelled++, reject(signal.reason)))),
  };
  const fast = new MemorySource('fast', data, manifest, { delayMs: 1 });
  const started = performance.now();
  const r = await session(manifest, out, [slow, fast]).s.run();
  t.true((await readFile(r.path)).equals(data));
  t.true(cancelled > 0, 'the slow copies were cancelled');
  t.true(performance.now() - started < 5_000);
});

test('progress: bytes grow, at most ~10 events a second, and a final one', async (t) => {
  const { data, manifest, out } = await fixture(t, 100 * 16 * KiB);
  const src = new MemorySource('s', data, manifest, { delayMs: 3 });
  const { s, progress } = session(manifest, out, [src], { pipeline: 2 });
  const started = performance.now();
  await s.run();
  const seconds = (performance.now() - started) / 1000;
  const last = progress.at(-1)!;
  t.true(last.done);
  t.is(last.bytes, manifest.size);
  t.is(last.total, manifest.size);
  t.is(last.etaSec, 0);
  t.is(last.sources[0]!.id, 's');
  t.is(last.sources[0]!.bytes, manifest.size);
  t.true(progress.length >= 2);
  t.true(progress.length <= Math.ceil(seconds * 10) + 3, `${progress.length} events in ${seconds}s`);
  for (let i = 1; i < progress.length; i++) t.true(progress[i]!.bytes >= progress[i - 1]!.bytes);
  t.true(progress.slice(0, -1).some((p) => p.rateBps > 0));
});

test('0-byte and 1-byte files download', async (t) => {
  for (const size of [0, 1]) {
    const { data, manifest, out } = await fixture(t, size);
    const r = await session(manifest, out, [new MemorySource('m', data, manifest)]).s.run();
    t.deepEqual(await readFile(r.path), data);
    t.is(r.size, size);
  }
});

test('downloads from local files (two FileChunkSources) with a different output name', async (t) => {
  const { path, data, out } = await fixture(t, 1024 * KiB + 7);
  const manifest = await buildManifest(path); // default 256 KiB chunks
  const sources = [
    new FileChunkSource(path, manifest, { id: 'f1' }),
    new FileChunkSource(path, manifest, { id: 'f2' }),
  ];
  t.teardown(() => Promise.all(sources.map((x) => x.close())));
  const r = await session(manifest, out, sources, { outName: 'copy.bin' }).s.run();
  t.is(r.path, join(out, 'copy.bin'));
  t.true((await readFile(r.path)).equals(data));
});

test('an unsafe output name is refused with BAD_NAME and nothing is written', async (t) => {
  const { data, manifest, out } = await fixture(t, 16 * KiB);
  for (const outName of ['../escape.bin', '/tmp/abs.bin', 'a\0b']) {
    const e = await t.throwsAsync(session(manifest, out, [new MemorySource('m', data, manifest)], { outName }).s.run());
    t.is((e as { code?: string }).code, 'BAD_NAME');
  }
  t.deepEqual(await readdir(out), []);
});

test('an unsafe manifest name is refused too', async (t) => {
  const { data, manifest, out } = await fixture(t, 16 * KiB);
  const evil = { ...manifest, name: '../../etc/passwd' };
  const e = await t.throwsAsync(session(evil, out, [new MemorySource('m', data, evil)]).s.run());
  t.is((e as { code?: string }).code, 'BAD_NAME');
});

for (const wholeFileCheck of ['always', 'resumed'] as const) {
  test(`a resumed part whose chunk rotted on disk is repaired by the whole-file check (${wholeFileCheck})`, async (t) => {
    const { data, manifest, out } = await fixture(t, 32 * 16 * KiB);
    const ac = new AbortController();
    const first = new MemorySource('a', data, manifest, { onFetch: () => void (first.fetches === 20 && ac.abort()) });
    await t.throwsAsync(session(manifest, out, [first], { pipeline: 1, rng: () => 0 }).s.run(ac.signal));
    const part = join(out, 'file.bin.part');
    const raw = await readFile(part);
    raw[0]! ^= 0xff; // chunk 0 was among the first fetched (rng 0 picks the lowest index)
    await writeFile(part, raw);
    const second = new MemorySource('b', data, manifest);
    const r = await session(manifest, out, [second], { wholeFileCheck }).s.run();
    t.true((await readFile(r.path)).equals(data));
    t.true(second.fetched.includes(0));
  });
}

test('per-transfer and global limiters pace the download (virtual clock)', async (t) => {
  const { data, manifest, out } = await fixture(t, 64 * 16 * KiB); // 1 MiB
  const clock = new VirtualClock();
  const limiter = new RateLimiter({ rateBps: 512 * KiB, burstBytes: 64 * KiB, clock });
  const globalLimiter = new RateLimiter({ rateBps: 256 * KiB, burstBytes: 64 * KiB, clock });
  const { s } = session(manifest, out, [new MemorySource('m', data, manifest)], { limiter, globalLimiter, clock });
  let done = false;
  const run = s.run().finally(() => (done = true));
  // Real IO (files, worker threads) happens between steps: give it real time too.
  for (let i = 0; i < 10_000 && !done; i++) await clock.advance(20).then(() => sleep(1));
  const r = await run;
  t.true((await readFile(r.path)).equals(data));
  // The slower (global) limiter rules: (1 MiB - 64 KiB burst) at 256 KiB/s = 3.75 s at least.
  t.true(clock.now() >= 3_750, `finished at ${clock.now()} ms of virtual time`);
});

test('a FileChunkSource over a corrupted copy is dropped; the right file still arrives', async (t) => {
  const { path, data, manifest, out } = await fixture(t, 20 * 16 * KiB);
  const badCopy = join(out, 'bad-copy.bin');
  const rotten = Buffer.from(data);
  for (let o = 100; o < rotten.length; o += 16 * KiB) rotten[o]! ^= 1; // every chunk damaged
  await writeFile(badCopy, rotten);
  const sources = [
    new FileChunkSource(badCopy, manifest, { id: 'bad' }),
    new FileChunkSource(path, manifest, { id: 'good' }),
  ];
  t.teardown(() => Promise.all(sources.map((x) => x.close())));
  const { s, dropped } = session(manifest, out, sources, { outName: 'result.bin' });
  const r = await s.run();
  t.true((await readFile(r.path)).equals(data));
  t.deepEqual(
    dropped.map((d) => d.id),
    ['bad'],
  );
});

test("wholeFileCheck 'resumed' skips the second hash pass on a fresh download", async (t) => {
  const { data, manifest, out } = await fixture(t, 10 * 16 * KiB);
  const r = await session(manifest, out, [new MemorySource('m', data, manifest)], {
    wholeFileCheck: 'resumed',
  }).s.run();
  t.true((await readFile(r.path)).equals(data));
  t.is(r.resumedChunks, 0);
});

test('a source answering BUSY rests and is asked again, never dropped for it (virtual clock)', async (t) => {
  const { data, manifest, out } = await fixture(t, 32 * 16 * KiB);
  const clock = new VirtualClock();
  let refusals = 0;
  const busyAtFirst = new MemorySource('busy', data, manifest, {
    onFetch: () => {
      // Its first ten requests are refused as over a limit: more than MAX_SOURCE_ERRORS in a row.
      if (refusals < 10) throw new RemoteError('BUSY', `busy ${++refusals}`);
    },
  });
  const { s, dropped } = session(manifest, out, [busyAtFirst], { clock });
  let done = false;
  const run = s.run().finally(() => (done = true));
  for (let i = 0; i < 10_000 && !done; i++) await clock.advance(20).then(() => sleep(1));
  const r = await run;
  t.true((await readFile(r.path)).equals(data), 'the only source, BUSY at first, delivered the whole file');
  t.is(refusals, 10);
  t.deepEqual(dropped, []);
  // Every BUSY in a row doubles the rest (100, 200, 400 ms ...): refusals were not hammered in a loop.
  t.true(clock.now() >= 100, `rested ${clock.now()} ms of virtual time`);
});
