/**
 * Manifests: what a file is, chunk by chunk. The manifest's own hash (its id) identifies the
 * content; every chunk is verified against its SHA-256 before it is used.
 *
 * Invariants:
 * - chunks.length === ceil(size / chunkSize); a 0-byte file has no chunks.
 * - every chunk is chunkSize bytes except the last, which holds the remainder.
 * - MIN_CHUNK_SIZE <= chunkSize <= MAX_CHUNK_SIZE, size <= MAX_FILE_SIZE, 1..255-byte name.
 * - the encoding is canonical: one manifest has exactly one encoding, so one id.
 *
 * Encoding (big-endian): "P2PM" | version u8 = 1 | nameLen u16 | name (UTF-8) | size u64 |
 * chunkSize u32 | count u32 | sha256 (32 bytes) | count × chunk SHA-256 (32 bytes each).
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import type { HashPool } from './hash-pool.js';
import { ChunkSlab } from './chunk-slab.js';
import { readInto } from './read-fully.js';
import {
  DEFAULT_CHUNK_SIZE,
  MAX_CHUNK_SIZE,
  MAX_CHUNKS,
  MAX_FILE_SIZE,
  MAX_NAME_BYTES,
  MIN_CHUNK_SIZE,
} from './transfer-constants.js';
import { TransferError } from './transfer-error.js';

export interface Manifest {
  readonly name: string;
  readonly size: number;
  readonly chunkSize: number;
  /** SHA-256 hex of each chunk, in order. */
  readonly chunks: readonly string[];
  /** SHA-256 hex of the whole file. */
  readonly sha256: string;
}

const MAGIC = 0x5032504d; // "P2PM"
const VERSION = 1;
const FIXED_BYTES = 4 + 1 + 2 + 8 + 4 + 4 + 32;
const HASH_BYTES = 32;
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be lowercase SHA-256 hex');

const shapeSchema = z.object({
  name: z
    .string()
    .min(1)
    .refine((s) => Buffer.byteLength(s, 'utf8') <= MAX_NAME_BYTES, `name over ${MAX_NAME_BYTES} bytes`),
  size: z.number().int().min(0).max(MAX_FILE_SIZE),
  chunkSize: z.number().int().min(MIN_CHUNK_SIZE).max(MAX_CHUNK_SIZE),
});

/** Validates a manifest given as a plain value (e.g. decoded from a message). */
export const manifestSchema = shapeSchema
  .extend({ chunks: z.array(sha256Hex).max(MAX_CHUNKS), sha256: sha256Hex })
  .strict()
  .refine((m) => m.chunks.length === chunkCount(m.size, m.chunkSize), 'chunk count does not match size');

/** Number of chunks of a `size`-byte file. */
export function chunkCount(size: number, chunkSize: number): number {
  return Math.ceil(size / chunkSize);
}

/** Byte offset of chunk `index`. */
export function chunkOffset(m: Manifest, index: number): number {
  return index * m.chunkSize;
}

/** Length in bytes of chunk `index` (the last one may be short). */
export function chunkLength(m: Manifest, index: number): number {
  return Math.min(m.chunkSize, m.size - index * m.chunkSize);
}

/** Length in bytes of the `count` chunks from `first` on (a run of chunks asked for at once). */
export function spanLength(m: Manifest, first: number, count: number): number {
  return Math.min(m.size, (first + count) * m.chunkSize) - first * m.chunkSize;
}

/** The default chunk size for a file: 256 KiB, doubled until the chunk count fits MAX_CHUNKS. */
export function chunkSizeFor(size: number): number {
  let s = DEFAULT_CHUNK_SIZE;
  while (chunkCount(size, s) > MAX_CHUNKS && s < MAX_CHUNK_SIZE) s *= 2;
  return s;
}

/** Validates a plain value as a Manifest or throws BAD_MANIFEST. */
export function parseManifest(value: unknown): Manifest {
  return check(manifestSchema, value);
}

function check<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new TransferError('BAD_MANIFEST', `bad manifest: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`);
  }
  return r.data;
}

/** The canonical bytes of a manifest. */
export function encodeManifest(m: Manifest): Uint8Array {
  const v = parseManifest(m);
  const name = Buffer.from(v.name, 'utf8');
  const out = Buffer.allocUnsafe(FIXED_BYTES + name.length + HASH_BYTES * v.chunks.length);
  let p = out.writeUInt32BE(MAGIC, 0);
  p = out.writeUInt8(VERSION, p);
  p = out.writeUInt16BE(name.length, p);
  p += name.copy(out, p);
  p = out.writeBigUInt64BE(BigInt(v.size), p);
  p = out.writeUInt32BE(v.chunkSize, p);
  p = out.writeUInt32BE(v.chunks.length, p);
  p += out.write(v.sha256, p, 'hex');
  for (const c of v.chunks) p += out.write(c, p, 'hex');
  return out;
}

/** Decodes hostile bytes into a Manifest: cheap header checks first, then zod; throws BAD_MANIFEST. */
export function decodeManifest(bytes: Uint8Array): Manifest {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (why: string): never => {
    throw new TransferError('BAD_MANIFEST', `bad manifest: ${why}`);
  };
  if (b.length < FIXED_BYTES) fail('too short');
  if (b.readUInt32BE(0) !== MAGIC) fail('bad magic');
  if (b.readUInt8(4) !== VERSION) fail('unknown version');
  const nameLen = b.readUInt16BE(5);
  if (nameLen > MAX_NAME_BYTES) fail('name too long');
  let p = 7 + nameLen;
  if (b.length < FIXED_BYTES + nameLen) fail('truncated');
  const size = b.readBigUInt64BE(p);
  if (size > BigInt(MAX_FILE_SIZE)) fail('file too large');
  const chunkSize = b.readUInt32BE(p + 8);
  const count = b.readUInt32BE(p + 12);
  if (count > MAX_CHUNKS) fail('too many chunks');
  if (b.length !== FIXED_BYTES + nameLen + HASH_BYTES * count) fail('length does not match chunk count');
  const name = decodeUtf8(b.subarray(7, 7 + nameLen)) ?? fail('name is not UTF-8');
  p += 16;
  const sha256 = b.toString('hex', p, p + HASH_BYTES);
  const chunks: string[] = new Array<string>(count);
  for (let i = 0, q = p + HASH_BYTES; i < count; i++, q += HASH_BYTES) chunks[i] = b.toString('hex', q, q + HASH_BYTES);
  return parseManifest({ name, size: Number(size), chunkSize, chunks, sha256 });
}

/** The manifest's id: SHA-256 hex of its canonical encoding. */
export function manifestId(m: Manifest): string {
  return createHash('sha256').update(encodeManifest(m)).digest('hex');
}

export interface BuildManifestOptions {
  /** Chunk size in bytes (default 256 KiB, larger for files over 32 GiB). */
  readonly chunkSize?: number;
  /** Name to record (default: the file's base name). */
  readonly name?: string;
  /** Hashes chunks on worker threads while this thread hashes the whole file (default: all here). */
  readonly hashPool?: HashPool;
}

/** Builds the manifest of a file, reading it once with bounded memory. */
export async function buildManifest(path: string, opts: BuildManifestOptions = {}): Promise<Manifest> {
  const fh = await open(path, 'r');
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new TransferError('BAD_MANIFEST', `${path} is not a regular file`);
    const chunkSize = opts.chunkSize ?? chunkSizeFor(st.size);
    const shape = check(shapeSchema, { name: opts.name ?? basename(path), size: st.size, chunkSize });
    const count = chunkCount(shape.size, shape.chunkSize);
    if (count > MAX_CHUNKS) throw new TransferError('BAD_MANIFEST', `${count} chunks: use a larger chunk size`);
    const { chunks, sha256 } = await hashChunks(fh, { ...shape, chunks: [], sha256: '' }, count, opts.hashPool);
    return parseManifest({ ...shape, chunks, sha256 });
  } finally {
    await fh.close();
  }
}

/** One read pass (the next read overlaps hashing): whole-file hash here, chunk hashes in the pool. */
async function hashChunks(fh: FileHandle, m: Manifest, count: number, pool?: HashPool) {
  const whole = createHash('sha256');
  const chunks: string[] = new Array<string>(count);
  const slab = new ChunkSlab(m.chunkSize, (pool ? pool.size * 4 : 1) + 1);
  const pending = new Set<Promise<void>>();
  const read = async (i: number): Promise<Uint8Array> => {
    while (slab.inUse >= slab.maxSlots) await Promise.race(pending);
    const slot = slab.acquire(chunkLength(m, i));
    await readInto(fh, slot, chunkOffset(m, i)).catch((e: unknown) => (slab.release(slot), Promise.reject(e)));
    return slot;
  };
  let next = count > 0 ? read(0) : null;
  for (let i = 0; i < count; i++) {
    const slot = await next!;
    next = i + 1 < count ? read(i + 1) : null;
    whole.update(slot);
    const job = pool ? pool.hashShared(slot) : Promise.resolve(createHash('sha256').update(slot).digest('hex'));
    const done = job.then((hex) => void (chunks[i] = hex));
    const tracked: Promise<void> = done.finally(() => (slab.release(slot), pending.delete(tracked)));
    tracked.catch(() => undefined); // failures surface through Promise.all below
    pending.add(tracked);
  }
  await Promise.all(pending);
  return { chunks, sha256: whole.digest('hex') };
}

function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null; // not UTF-8: the caller refuses the manifest
  }
}
