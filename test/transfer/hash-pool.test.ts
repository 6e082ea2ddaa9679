import { createHash, randomBytes } from 'node:crypto';
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { HashPool } from '../../src/transfer/hash-pool.js';
import { tempDir } from './helpers.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

test('hash matches node:crypto and leaves the caller bytes intact', async (t) => {
  const pool = new HashPool(2);
  t.teardown(() => pool.close());
  const big = randomBytes(300_000);
  const slice = big.subarray(1000, 5000); // a view into a larger buffer
  t.is(await pool.hash(big), sha(big));
  t.is(await pool.hash(slice), sha(slice));
  t.is(await pool.hash(new Uint8Array(0)), sha(new Uint8Array(0)));
  t.is(big.byteLength, 300_000);
});

test('hashTransfer moves whole buffers and hands them back', async (t) => {
  const pool = new HashPool(2);
  t.teardown(() => pool.close());
  const owned = Buffer.from(randomBytes(256 * 1024)); // owns its ArrayBuffer
  const expected = sha(owned);
  const copyOfBytes = Buffer.from(owned);
  const r = await pool.hashTransfer(owned);
  t.is(r.hex, expected);
  t.is(owned.byteLength, 0); // detached: moved to the worker
  t.true(Buffer.from(r.bytes).equals(copyOfBytes));
  const view = randomBytes(64 * 1024).subarray(10, 20_000);
  const r2 = await pool.hashTransfer(view); // not a whole buffer: hashed from a copy
  t.is(r2.hex, sha(view));
  t.is(r2.bytes, view);
});

test('many concurrent jobs all resolve correctly', async (t) => {
  const pool = new HashPool();
  t.teardown(() => pool.close());
  const inputs = Array.from({ length: 64 }, (_, i) => randomBytes(1000 + i * 997));
  const got = await Promise.all(inputs.map((b) => pool.hash(b)));
  t.deepEqual(got, inputs.map(sha));
  t.true(pool.size >= 1);
});

test('close rejects pending and later jobs', async (t) => {
  const pool = new HashPool(1);
  const pending = Array.from({ length: 8 }, () => pool.hash(randomBytes(1 << 20)));
  await pool.close();
  const results = await Promise.allSettled(pending);
  t.true(results.some((r) => r.status === 'rejected'));
  await t.throwsAsync(pool.hash(new Uint8Array(1)), { message: /closed/ });
});

test('hashShared reads shared memory in place', async (t) => {
  const pool = new HashPool(2);
  t.teardown(() => pool.close());
  const view = new Uint8Array(new SharedArrayBuffer(100_000), 1000, 50_000);
  view.set(randomBytes(50_000));
  t.is(await pool.hashShared(view), sha(view));
  t.is(view.byteLength, 50_000);
});

test('fileDigest hashes a growing file prefix by prefix; a short file fails the digest', async (t) => {
  const dir = await tempDir(t);
  const pool = new HashPool(1);
  t.teardown(() => pool.close());
  const data = randomBytes(3_000_000);
  const path = join(dir, 'f');
  await writeFile(path, data.subarray(0, 1_000_000));
  const d = pool.fileDigest(path);
  d.advance(1_000_000);
  await appendFile(path, data.subarray(1_000_000));
  d.advance(2_500_000);
  t.is(await d.digest(3_000_000), sha(data));
  const short = pool.fileDigest(path);
  await t.throwsAsync(short.digest(4_000_000), { message: /shorter/ });
});

test('fileDigest hashes fed shared bytes in place, then reads the rest from disk', async (t) => {
  const dir = await tempDir(t);
  const pool = new HashPool(1);
  t.teardown(() => pool.close());
  const data = randomBytes(3_000_000);
  const path = join(dir, 'f');
  // On disk, the middle megabyte is zeros: only the fed copy has the real bytes.
  await writeFile(
    path,
    Buffer.concat([data.subarray(0, 1_000_000), Buffer.alloc(1_000_000), data.subarray(2_000_000)]),
  );
  const shared = new Uint8Array(new SharedArrayBuffer(1_000_000));
  shared.set(data.subarray(1_000_000, 2_000_000));
  const d = pool.fileDigest(path);
  d.advance(500_000);
  await d.feed(1_000_000, shared); // resolves once the worker is done with the memory
  shared.fill(0);
  d.advance(2_500_000);
  t.is(await d.digest(3_000_000), sha(data));
});
