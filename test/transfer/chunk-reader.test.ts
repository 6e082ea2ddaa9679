import { writeFile } from 'node:fs/promises';
import test from 'ava';
import { ChunkReader, FileChunkSource, readChunk } from '../../src/transfer/chunk-reader.js';
import { buildManifest, chunkLength } from '../../src/transfer/manifest.js';
import { randomFile, tempDir } from './helpers.js';

const KiB = 1024;

test('readChunk reads exactly one chunk, the last one short', async (t) => {
  const dir = await tempDir(t);
  const { path, data } = await randomFile(dir, 'f', 3 * 16 * KiB + 100);
  const m = await buildManifest(path, { chunkSize: 16 * KiB });
  for (let i = 0; i < 4; i++) {
    const c = await readChunk(path, m, i);
    t.is(c.length, chunkLength(m, i));
    t.true(c.equals(data.subarray(i * 16 * KiB, i * 16 * KiB + c.length)));
  }
});

test('hostile indices are refused with BAD_INDEX', async (t) => {
  const dir = await tempDir(t);
  const { path } = await randomFile(dir, 'f', 16 * KiB);
  const m = await buildManifest(path, { chunkSize: 16 * KiB });
  const reader = await ChunkReader.open(path, m);
  t.teardown(() => reader.close());
  for (const i of [-1, 1, 1.5, Number.NaN, 2 ** 40]) {
    await t.throwsAsync(reader.read(i), { message: /no chunk/ });
  }
});

test('a file that changed size is refused with CHANGED', async (t) => {
  const dir = await tempDir(t);
  const { path } = await randomFile(dir, 'f', 16 * KiB);
  const m = await buildManifest(path, { chunkSize: 16 * KiB });
  await writeFile(path, 'shorter');
  const e = await t.throwsAsync(readChunk(path, m, 0));
  t.is((e as { code?: string }).code, 'CHANGED');
});

test('FileChunkSource serves every chunk and honours abort', async (t) => {
  const dir = await tempDir(t);
  const { path, data } = await randomFile(dir, 'f', 40 * KiB);
  const m = await buildManifest(path, { chunkSize: 16 * KiB });
  const src = new FileChunkSource(path, m, { id: 'local' });
  t.teardown(() => src.close());
  t.true(src.has(2));
  t.false(src.has(3));
  const got = Buffer.concat(await Promise.all([0, 1, 2].map((i) => src.fetch(i, new AbortController().signal))));
  t.true(got.equals(data));
  await t.throwsAsync(src.fetch(0, AbortSignal.abort()), { message: /abort/ });
});
