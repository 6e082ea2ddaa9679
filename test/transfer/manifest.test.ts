import { createHash } from 'node:crypto';
import test from 'ava';
import { HashPool } from '../../src/transfer/hash-pool.js';
import {
  buildManifest,
  chunkLength,
  chunkSizeFor,
  decodeManifest,
  encodeManifest,
  manifestId,
  parseManifest,
  type Manifest,
} from '../../src/transfer/manifest.js';
import { MAX_CHUNKS, MAX_FILE_SIZE } from '../../src/transfer/transfer-constants.js';
import { TransferError } from '../../src/transfer/transfer-error.js';
import { randomFile, tempDir } from './helpers.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const KiB = 1024;

function expectedChunks(data: Buffer, chunkSize: number): string[] {
  const out: string[] = [];
  for (let o = 0; o < data.length; o += chunkSize) out.push(sha(data.subarray(o, o + chunkSize)));
  return out;
}

for (const [label, size, chunkSize] of [
  ['0 B', 0, 256 * KiB],
  ['1 B', 1, 256 * KiB],
  ['exactly one chunk', 256 * KiB, 256 * KiB],
  ['one chunk + 1 byte', 256 * KiB + 1, 256 * KiB],
  ['several small chunks', 100 * KiB, 16 * KiB],
] as const) {
  test(`buildManifest: ${label}`, async (t) => {
    const dir = await tempDir(t);
    const { path, data } = await randomFile(dir, 'f.bin', size);
    const m = await buildManifest(path, { chunkSize });
    t.is(m.name, 'f.bin');
    t.is(m.size, size);
    t.is(m.chunkSize, chunkSize);
    t.deepEqual(m.chunks, expectedChunks(data, chunkSize));
    t.is(m.chunks.length, Math.ceil(size / chunkSize));
    t.is(m.sha256, sha(data));
    if (m.chunks.length > 0) t.is(chunkLength(m, m.chunks.length - 1), size - (m.chunks.length - 1) * chunkSize);
    t.deepEqual(decodeManifest(encodeManifest(m)), m);
  });
}

test('buildManifest with a hash pool gives the same manifest', async (t) => {
  const dir = await tempDir(t);
  const { path } = await randomFile(dir, 'p.bin', 3 * 256 * KiB + 17);
  const pool = new HashPool(2);
  t.teardown(() => pool.close());
  t.deepEqual(await buildManifest(path, { hashPool: pool, name: 'renamed' }), {
    ...(await buildManifest(path)),
    name: 'renamed',
  });
});

test('manifestId is stable and depends on every field', async (t) => {
  const m: Manifest = { name: 'a', size: 1, chunkSize: 16 * KiB, chunks: ['1'.repeat(64)], sha256: '2'.repeat(64) };
  t.is(manifestId(m), manifestId({ ...m }));
  t.regex(manifestId(m), /^[0-9a-f]{64}$/);
  t.not(manifestId(m), manifestId({ ...m, name: 'b' }));
  t.not(manifestId(m), manifestId({ ...m, chunks: ['3'.repeat(64)] }));
});

test('chunkSizeFor grows the chunk size for huge files', (t) => {
  t.is(chunkSizeFor(1024 ** 3), 256 * KiB);
  t.is(chunkSizeFor(MAX_FILE_SIZE), MAX_FILE_SIZE / MAX_CHUNKS);
});

const good: Manifest = {
  name: 'ok.txt',
  size: 40 * KiB,
  chunkSize: 16 * KiB,
  chunks: ['a'.repeat(64), 'b'.repeat(64), 'c'.repeat(64)],
  sha256: 'd'.repeat(64),
};

test('decodeManifest rejects damaged bytes', (t) => {
  const bytes = Buffer.from(encodeManifest(good));
  const bad = (b: Uint8Array): void => void t.throws(() => decodeManifest(b), { message: /bad manifest/ });
  bad(new Uint8Array(0));
  bad(bytes.subarray(0, bytes.length - 1)); // truncated
  bad(Buffer.concat([bytes, Buffer.alloc(1)])); // trailing byte
  const magic = Buffer.from(bytes);
  magic[0] = 0;
  bad(magic);
  const version = Buffer.from(bytes);
  version[4] = 9;
  bad(version);
  t.is(t.throws(() => decodeManifest(magic), { instanceOf: TransferError })?.code, 'BAD_MANIFEST');
});

test('decodeManifest rejects inconsistent or out-of-range fields', (t) => {
  const reject = (m: Partial<Manifest>): void => {
    const fields = { ...good, ...m };
    // Bypass encodeManifest's own validation: hand-build the bytes.
    t.throws(() => decodeManifest(rawEncode(fields)), { message: /bad manifest/ }, JSON.stringify(m).slice(0, 80));
  };
  reject({ size: 60 * KiB }); // 4 chunks needed, 3 listed
  reject({ chunkSize: 1000, size: 2500 }); // below 16 KiB
  reject({ chunkSize: 16 * 1024 * KiB, size: 40 * KiB, chunks: ['a'.repeat(64)] }); // above 8 MiB
  reject({ name: '' });
  reject({ name: 'x'.repeat(256) });
  reject({ name: 'é'.repeat(128) }); // 256 bytes in UTF-8
  t.throws(() => decodeManifest(rawEncode({ ...good, size: MAX_FILE_SIZE * 2 })), { message: /too large/ });
  const badUtf8 = Buffer.from(rawEncode({ ...good, name: 'ab' }));
  badUtf8[7] = 0xff;
  t.throws(() => decodeManifest(badUtf8), { message: /UTF-8/ });
});

test('parseManifest rejects bad plain values', (t) => {
  t.notThrows(() => parseManifest(good));
  for (const v of [
    null,
    {},
    { ...good, extra: 1 },
    { ...good, chunks: ['A'.repeat(64), 'b'.repeat(64), 'c'.repeat(64)] },
    { ...good, size: -1 },
    { ...good, size: 1.5 },
  ]) {
    t.throws(() => parseManifest(v), { message: /bad manifest/ });
  }
});

/** The wire format, written without validation (to feed decodeManifest hostile input). */
function rawEncode(m: Manifest): Uint8Array {
  const name = Buffer.from(m.name, 'utf8');
  const head = Buffer.alloc(7 + name.length + 16);
  head.writeUInt32BE(0x5032504d, 0);
  head.writeUInt8(1, 4);
  head.writeUInt16BE(name.length, 5);
  name.copy(head, 7);
  head.writeBigUInt64BE(BigInt(m.size), 7 + name.length);
  head.writeUInt32BE(m.chunkSize, 15 + name.length);
  head.writeUInt32BE(m.chunks.length, 19 + name.length);
  return Buffer.concat([head, Buffer.from(m.sha256, 'hex'), ...m.chunks.map((c) => Buffer.from(c, 'hex'))]);
}
