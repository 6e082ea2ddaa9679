import { readdir, readFile } from 'node:fs/promises';
import test from 'ava';
import { ChunkReader, servedCount } from '../../src/transfer/chunk-reader.js';
import { type ChunkSource, DownloadSession, type SourceDropped } from '../../src/transfer/download-session.js';
import { HashPool } from '../../src/transfer/hash-pool.js';
import { buildManifest, chunkOffset, type Manifest, spanLength } from '../../src/transfer/manifest.js';
import { PartFile } from '../../src/transfer/part-file.js';
import { PiecePicker } from '../../src/transfer/piece-picker.js';
import { LONG_SPAN_BYTES, MAX_SPAN_BYTES, SPAN_BYTES } from '../../src/transfer/transfer-constants.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { randomFile, seededRng, sleep, tempDir } from './helpers.js';

const KiB = 1024;
const pool = new HashPool(2);
test.after.always(() => pool.close());

interface SpanSourceOptions {
  /** Most chunks sent per request (a server that sends fewer than asked). */
  readonly most?: number;
  /** Bytes cut off every answer (a peer that sends a partial chunk). */
  readonly cut?: number;
  /** Chunks sent with a flipped byte. */
  readonly corrupt?: (index: number) => boolean;
  /** Each answer takes this long on `clock` (a source of a known speed). */
  readonly clock?: VirtualClock;
  readonly delayMs?: number;
}

/** A source serving runs of chunks from memory, counting its requests. */
class SpanSource implements ChunkSource {
  requests = 0;
  /** Chunks asked for, request by request. */
  readonly counts: number[] = [];
  constructor(
    readonly id: string,
    private readonly data: Buffer,
    private readonly m: Manifest,
    private readonly opts: SpanSourceOptions = {},
  ) {}

  has(): boolean {
    return true;
  }

  async fetch(index: number): Promise<Uint8Array> {
    this.requests++;
    return this.data.subarray(chunkOffset(this.m, index), chunkOffset(this.m, index) + spanLength(this.m, index, 1));
  }

  async fetchSpanInto(first: number, count: number, target: Uint8Array): Promise<number> {
    this.requests++;
    this.counts.push(count);
    const { clock, delayMs } = this.opts;
    await new Promise((r) => (clock ? clock.setTimeout(() => r(null), delayMs ?? 0) : setImmediate(r)));
    const n = Math.min(count, this.opts.most ?? count);
    const bytes = spanLength(this.m, first, n) - (this.opts.cut ?? 0);
    target.set(this.data.subarray(chunkOffset(this.m, first), chunkOffset(this.m, first) + bytes));
    for (let i = first; i < first + n; i++) {
      if (this.opts.corrupt?.(i)) target[chunkOffset(this.m, i) - chunkOffset(this.m, first)]! ^= 0xff;
    }
    return bytes;
  }
}

async function fixture(t: Parameters<typeof tempDir>[0], size: number, chunkSize = 16 * KiB) {
  const { path, data } = await randomFile(await tempDir(t), 'file.bin', size);
  return { path, data, manifest: await buildManifest(path, { chunkSize }), out: await tempDir(t) };
}

function download(m: Manifest, out: string, sources: ChunkSource[], clock?: VirtualClock) {
  const s = new DownloadSession({ manifest: m, dir: out, sources, hashPool: pool, rng: seededRng(4), clock });
  const dropped: SourceDropped[] = [];
  s.on('source-dropped', (d) => dropped.push(d));
  return { run: () => s.run(), dropped };
}

test('a source that serves runs of chunks is asked for several chunks per request', async (t) => {
  const { data, manifest, out } = await fixture(t, 300 * 16 * KiB + 7);
  const src = new SpanSource('span', data, manifest);
  const r = await download(manifest, out, [src]).run();
  t.true((await readFile(r.path)).equals(data));
  t.is(r.sha256, manifest.sha256);
  t.true(src.requests < manifest.chunks.length / 8, `${src.requests} requests for ${manifest.chunks.length} chunks`);
});

/** Downloads from one source answering every request after `delayMs` of virtual time. */
async function timedDownload(t: Parameters<typeof tempDir>[0], size: number, delayMs: number) {
  const { data, manifest, out } = await fixture(t, size);
  const clock = new VirtualClock();
  const src = new SpanSource('timed', data, manifest, { clock, delayMs });
  let done = false;
  const run = download(manifest, out, [src], clock)
    .run()
    .finally(() => (done = true));
  for (let i = 0; i < 100_000 && !done; i++) await clock.advance(Math.max(1, delayMs / 10)).then(() => sleep(1));
  const r = await run;
  t.true((await readFile(r.path)).equals(data));
  return { src, manifest };
}

test('a fast source is asked for long spans once measured fast (fewer requests per byte)', async (t) => {
  // 1 ms per request of at least 1 MiB: far above LONG_SPAN_RATE.
  const { src, manifest } = await timedDownload(t, 16 * 1024 * KiB, 1);
  const long = LONG_SPAN_BYTES / (16 * KiB);
  t.is(Math.max(...src.counts), long, `spans asked: ${src.counts.join(' ')}`);
  t.true(src.requests <= 8, `${src.requests} requests for ${manifest.chunks.length} chunks`);
});

test('a slow source keeps short spans (a long one could outlast its request timeout)', async (t) => {
  // 1 s per request of 1 MiB: about 1 MB/s, far below LONG_SPAN_SOURCE_RATE.
  const { src } = await timedDownload(t, 4 * 1024 * KiB, 1000);
  t.is(Math.max(...src.counts), SPAN_BYTES / (16 * KiB), `spans asked: ${src.counts.join(' ')}`);
});

test('a download below LONG_SPAN_RATE keeps short spans, even from a source fast enough for long ones', async (t) => {
  // 100 ms per request of 1 MiB: about 10 MB/s, above LONG_SPAN_SOURCE_RATE, below LONG_SPAN_RATE.
  const { src } = await timedDownload(t, 8 * 1024 * KiB, 100);
  t.is(Math.max(...src.counts), SPAN_BYTES / (16 * KiB), `spans asked: ${src.counts.join(' ')}`);
});

test('a server that sends fewer chunks than asked: the rest are asked for again', async (t) => {
  const { data, manifest, out } = await fixture(t, 50 * 16 * KiB);
  const src = new SpanSource('stingy', data, manifest, { most: 3 });
  const r = await download(manifest, out, [src]).run();
  t.true((await readFile(r.path)).equals(data));
});

test('a partial chunk or a bad chunk inside a run drops the source; the others finish', async (t) => {
  for (const opts of [{ cut: 100 }, { corrupt: (i: number) => i % 7 === 3 }]) {
    const { data, manifest, out } = await fixture(t, 60 * 16 * KiB);
    const bad = new SpanSource('bad', data, manifest, opts);
    const good = new SpanSource('good', data, manifest);
    const { run, dropped } = download(manifest, out, [bad, good]);
    const r = await run();
    t.true((await readFile(r.path)).equals(data));
    t.deepEqual(
      dropped.map((d) => [d.id, d.code]),
      [['bad', 'BAD_CHUNK']],
    );
    t.deepEqual(await readdir(out), ['file.bin']);
  }
});

test('extend adds only wanted chunks the source has, within its pipeline', (t) => {
  const p = new PiecePicker({ count: 10, pipeline: 4, window: 1 });
  p.addSource('a', (i) => i !== 3);
  p.addSource('b', () => true);
  t.is(p.pick('a'), 0);
  t.true(p.extend('a', 1));
  t.false(p.extend('a', 1), 'already in flight');
  t.true(p.extend('a', 2));
  t.false(p.extend('a', 3), 'a does not have chunk 3');
  t.is(p.pick('b'), 3);
  t.true(p.extend('a', 4));
  t.false(p.extend('a', 5), 'pipeline full');
  p.complete(5);
  t.false(p.extend('b', 5), 'done');
  t.false(p.extend('b', 10), 'out of range');
  t.deepEqual(p.inflightOf('a'), [0, 1, 2, 4]);
});

test('writeRun writes consecutive chunks at once and records each', async (t) => {
  const { data, manifest } = await fixture(t, 10 * 16 * KiB + 5);
  const dir = await tempDir(t);
  const part = await PartFile.open({ dir, name: 'file.bin', manifest, hashPool: pool });
  await part.writeRun(7, 4, data.subarray(chunkOffset(manifest, 7)));
  await part.writeRun(0, 7, data.subarray(0, chunkOffset(manifest, 7)));
  await t.throwsAsync(part.writeRun(6, 2, data.subarray(chunkOffset(manifest, 6), chunkOffset(manifest, 8))), {
    message: /already written/,
  });
  t.is(part.verifiedChunks, 11);
  t.true(await part.verifyWhole());
  t.true((await readFile(await part.commit())).equals(data));
});

test('a server reads runs of chunks in one go and bounds how many it sends', async (t) => {
  const { path, data, manifest } = await fixture(t, 20 * 16 * KiB + 3);
  const reader = await ChunkReader.open(path, manifest);
  t.teardown(() => reader.close());
  const target = new Uint8Array(spanLength(manifest, 18, 3));
  await reader.readSpanInto(18, 3, target);
  t.true(Buffer.from(target).equals(data.subarray(chunkOffset(manifest, 18))));
  await t.throwsAsync(reader.readSpanInto(19, 3, new Uint8Array(10)), { code: 'BAD_INDEX' });
  t.is(servedCount(manifest, 0), 1);
  t.is(servedCount(manifest, 18, 50), 3);
  t.is(servedCount(manifest, 0, 10_000), Math.min(21, MAX_SPAN_BYTES / (16 * KiB)));
});
