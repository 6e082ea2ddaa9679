import { createHash, randomBytes } from 'node:crypto';
import { access, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { HashPool } from '../../src/transfer/hash-pool.js';
import { chunkLength, chunkOffset, type Manifest } from '../../src/transfer/manifest.js';
import { PartFile } from '../../src/transfer/part-file.js';
import { tempDir } from './helpers.js';

const KiB = 1024;
const pool = new HashPool(1);
test.after.always(() => pool.close());
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const exists = (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false,
  );

function manifestOf(name: string, data: Buffer, chunkSize = 16 * KiB): Manifest {
  const chunks: string[] = [];
  for (let o = 0; o < data.length; o += chunkSize) chunks.push(sha(data.subarray(o, o + chunkSize)));
  return { name, size: data.length, chunkSize, chunks, sha256: sha(data) };
}

const chunkOf = (m: Manifest, data: Buffer, i: number): Buffer =>
  Buffer.from(data.subarray(chunkOffset(m, i), chunkOffset(m, i) + chunkLength(m, i)));

test('writes chunks to NAME.part and renames only after the whole-file check', async (t) => {
  const dir = await tempDir(t);
  const data = randomBytes(5 * 16 * KiB + 123);
  const m = manifestOf('out.bin', data);
  const part = await PartFile.open({ dir, name: 'out.bin', manifest: m, hashPool: pool });
  for (const i of [5, 0, 3, 1, 4]) await part.write(i, chunkOf(m, data, i));
  t.false(await exists(join(dir, 'out.bin')));
  t.true(await exists(join(dir, 'out.bin.part')));
  await part.write(2, chunkOf(m, data, 2));
  t.false(await exists(join(dir, 'out.bin')));
  t.is(await part.finish(), join(dir, 'out.bin'));
  t.true((await readFile(join(dir, 'out.bin'))).equals(data));
  t.deepEqual(await readdir(dir), ['out.bin']); // part and state are gone
});

test('resume state survives close and reopen', async (t) => {
  const dir = await tempDir(t);
  const data = randomBytes(8 * 16 * KiB);
  const m = manifestOf('r.bin', data);
  const first = await PartFile.open({ dir, name: 'r.bin', manifest: m, hashPool: pool });
  for (const i of [0, 1, 2, 6]) await first.write(i, chunkOf(m, data, i));
  await first.close();
  const second = await PartFile.open({ dir, name: 'r.bin', manifest: m, hashPool: pool });
  t.is(second.resumedChunks, 4);
  t.deepEqual(second.verifiedIndices(), [0, 1, 2, 6]);
  for (const i of [3, 4, 5, 7]) await second.write(i, chunkOf(m, data, i));
  await second.finish();
  t.true((await readFile(join(dir, 'r.bin'))).equals(data));
});

test('a state written for another manifest is ignored', async (t) => {
  const dir = await tempDir(t);
  const a = randomBytes(4 * 16 * KiB);
  const b = randomBytes(4 * 16 * KiB);
  const ma = manifestOf('same.bin', a);
  const pa = await PartFile.open({ dir, name: 'same.bin', manifest: ma, hashPool: pool });
  await pa.write(0, chunkOf(ma, a, 0));
  await pa.close();
  const pb = await PartFile.open({ dir, name: 'same.bin', manifest: manifestOf('same.bin', b), hashPool: pool });
  t.is(pb.resumedChunks, 0);
  await pb.close();
});

test('a chunk corrupted on disk after it was recorded is found and unmarked', async (t) => {
  const dir = await tempDir(t);
  const data = randomBytes(4 * 16 * KiB);
  const m = manifestOf('c.bin', data);
  const part = await PartFile.open({ dir, name: 'c.bin', manifest: m, hashPool: pool });
  for (let i = 0; i < 4; i++) await part.write(i, chunkOf(m, data, i));
  await part.close();
  const raw = await readFile(join(dir, 'c.bin.part'));
  raw[2 * 16 * KiB + 5]! ^= 1; // bit rot in chunk 2
  await writeFile(join(dir, 'c.bin.part'), raw);
  const again = await PartFile.open({ dir, name: 'c.bin', manifest: m, hashPool: pool });
  t.is(again.resumedChunks, 4); // trusted until the final check
  t.false(await again.verifyWhole());
  t.deepEqual(await again.reverify(), [2]);
  await again.write(2, chunkOf(m, data, 2));
  t.true(await again.verifyWhole());
  await again.commit();
  t.true((await readFile(join(dir, 'c.bin'))).equals(data));
});

test('finish refuses a file whose whole hash does not match the manifest', async (t) => {
  const dir = await tempDir(t);
  const data = randomBytes(2 * 16 * KiB);
  const m = { ...manifestOf('w.bin', data), sha256: '0'.repeat(64) };
  const part = await PartFile.open({ dir, name: 'w.bin', manifest: m, hashPool: pool });
  await part.write(0, chunkOf(m, data, 0));
  await part.write(1, chunkOf(m, data, 1));
  await t.throwsAsync(part.finish(), { message: /mismatch/ });
  await part.close();
  t.false(await exists(join(dir, 'w.bin')));
});

test('rejects wrong-length chunks and double writes', async (t) => {
  const dir = await tempDir(t);
  const data = randomBytes(2 * 16 * KiB);
  const m = manifestOf('x.bin', data);
  const part = await PartFile.open({ dir, name: 'x.bin', manifest: m, hashPool: pool });
  t.teardown(() => part.close());
  await t.throwsAsync(part.write(0, Buffer.alloc(10)), { message: /not 16384 bytes/ });
  await part.write(0, chunkOf(m, data, 0));
  await t.throwsAsync(part.write(0, chunkOf(m, data, 0)), { message: /already written/ });
  await t.throwsAsync(part.write(7, chunkOf(m, data, 0)), { message: /out of range/ });
});

test('a 0-byte file completes without chunks', async (t) => {
  const dir = await tempDir(t);
  const m = manifestOf('empty', Buffer.alloc(0));
  const part = await PartFile.open({ dir, name: 'empty', manifest: m, hashPool: pool });
  await part.finish();
  t.is((await stat(join(dir, 'empty'))).size, 0);
});

test('never writes through a symlink planted at NAME.part', async (t) => {
  const dir = await tempDir(t);
  const victim = join(await tempDir(t), 'victim');
  await writeFile(victim, 'keep me');
  await symlink(victim, join(dir, 'f.part'));
  const m = manifestOf('f', randomBytes(16 * KiB));
  await t.throwsAsync(PartFile.open({ dir, name: 'f', manifest: m, hashPool: pool }));
  t.is(await readFile(victim, 'utf8'), 'keep me');
});

test('unsafe names are refused before anything is created', async (t) => {
  const dir = await tempDir(t);
  const m = manifestOf('ok', randomBytes(16 * KiB));
  for (const name of ['../escape', '/etc/passwd', 'a\0b', '..']) {
    await t.throwsAsync(PartFile.open({ dir, name, manifest: m, hashPool: pool }), { message: /unsafe file name/ });
  }
  t.deepEqual(await readdir(dir), []);
});
