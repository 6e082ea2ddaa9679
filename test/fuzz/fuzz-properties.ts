/**
 * Properties for fuzzing the parsers of hostile bytes with fast-check: the frame decoder and
 * message schemas, the manifest decoder and the P2P-CI parser. Random and mutated inputs (bit
 * flips, truncations, huge lengths, wrong types, unknown kinds and versions, random splits)
 * may only ever produce a value or the parser's own coded error, never another exception.
 * Shared by the test (thousands of runs) and the benchmark (a million).
 */
import fc from 'fast-check';
import { decodePayload, encodeFrame, FrameDecoder, type Frame } from '../../src/wire/codec.js';
import { P2pError } from '../../src/wire/errors.js';
import { decodeManifest, encodeManifest } from '../../src/transfer/manifest.js';
import { P2pCiParser } from '../../src/tracker/p2p-ci-codec.js';

/** Runs `f`; any exception but a coded P2pError (DecodeError, BAD_MANIFEST...) is a crash. */
function onlyCodedErrors(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch (e) {
    if (e instanceof P2pError) return true;
    throw e;
  }
}

const hexId = fc.stringMatching(/^[0-9a-f]{1,40}$/);
const anyValue = fc.oneof(fc.anything(), fc.uint8Array({ maxLength: 64 }), hexId);
const frameLike: fc.Arbitrary<Frame> = fc.oneof(
  fc.record({
    kind: fc.constant('hello' as const),
    body: fc.record({
      version: fc.integer(),
      id: hexId,
      address: fc.constant(null),
      bits: fc.integer(),
      routing: fc.string(),
    }),
  }) as fc.Arbitrary<Frame>,
  fc.record({
    kind: fc.constant('request' as const),
    id: fc.nat(),
    type: fc.constantFrom('ping', 'find_step', 'notify', 'leaving', 'store_put', 'store_get', 'file_chunk', 'bogus'),
    body: fc.dictionary(fc.string({ maxLength: 8 }), anyValue, { maxKeys: 5 }),
  }) as fc.Arbitrary<Frame>,
  fc.record({ kind: fc.constant('refused' as const), code: fc.string(), message: fc.string() }) as fc.Arbitrary<Frame>,
);

/** Mutations of a valid encoding: bit flips, truncation, a huge length word, appended junk. */
const mutation = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ op: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('len' as const), len: fc.constantFrom(0xffffffff, 0x7fffffff, 0x10000000, 0) }),
  fc.record({ op: fc.constant('junk' as const), junk: fc.uint8Array({ maxLength: 32 }) }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(bytes: Buffer, m: Mutation): Buffer {
  const b = Buffer.from(bytes);
  if (m.op === 'flip' && b.length > 0) b[m.at % b.length]! ^= 1 << m.bit;
  if (m.op === 'cut') return b.subarray(0, m.at % (b.length + 1));
  if (m.op === 'len' && b.length >= 4) b.writeUInt32BE(m.len >>> 0, 0);
  if (m.op === 'junk') return Buffer.concat([b, m.junk]);
  return b;
}

/** Feeds `bytes` to a fresh decoder split at the given cut points; decodes every frame. */
function decodeStream(bytes: Buffer, cuts: number[]): void {
  const dec = new FrameDecoder();
  let prev = 0;
  for (const c of [...cuts.map((x) => x % (bytes.length + 1)).sort((a, b) => a - b), bytes.length]) {
    for (const f of dec.push(bytes.subarray(prev, Math.max(prev, c)))) decodePayload(f.payload, f.tail);
    prev = Math.max(prev, c);
  }
}

/** Byte streams a hostile peer might send: mutated frames, then random cuts for the writes. */
export const hostileStream = fc
  .array(fc.tuple(frameLike, mutation), { minLength: 1, maxLength: 4 })
  .map((frames) => Buffer.concat(frames.map(([f, m]) => mutate(safeEncode(f), m))));

export const wireFrames = fc.property(
  fc.array(fc.tuple(frameLike, mutation), { minLength: 1, maxLength: 4 }),
  fc.array(fc.nat(), { maxLength: 6 }),
  (frames, cuts) => {
    const bytes = Buffer.concat(frames.map(([f, m]) => mutate(safeEncode(f), m)));
    return onlyCodedErrors(() => decodeStream(bytes, cuts));
  },
);

export const randomBytes = fc.property(
  fc.uint8Array({ maxLength: 256 }),
  fc.array(fc.nat(), { maxLength: 4 }),
  (b, cuts) => onlyCodedErrors(() => decodeStream(Buffer.from(b), cuts)),
);

const validManifest = encodeManifest({
  name: 'notes.txt',
  size: 5,
  chunkSize: 262144,
  sha256: 'a'.repeat(64),
  chunks: ['b'.repeat(64)],
} as Parameters<typeof encodeManifest>[0]);

export const manifests = fc.property(
  fc.oneof(mutation, mutation),
  fc.uint8Array({ maxLength: 200 }),
  (m, raw) =>
    onlyCodedErrors(() => decodeManifest(mutate(Buffer.from(validManifest), m))) &&
    onlyCodedErrors(() => decodeManifest(raw)),
);

const p2pciLine = fc.oneof(
  fc.constantFrom(
    'ADD RFC 1 P2P-CI/1.0',
    'LOOKUP RFC 7 P2P-CI/1.0',
    'LIST ALL P2P-CI/1.0',
    'GET RFC 9 P2P-CI/2.0',
    'QUIT',
  ),
  fc.constantFrom('Host: h', 'Port: 99999999999', 'Title: x', 'Port: -1', ': :', ''),
  fc.string({ maxLength: 40 }),
);

export const p2pci = fc.property(
  fc.array(p2pciLine, { maxLength: 12 }),
  fc.array(fc.nat(), { maxLength: 4 }),
  (lines, cuts) => {
    const bytes = Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1');
    const parser = new P2pCiParser();
    let prev = 0;
    for (const c of [...cuts.map((x) => x % (bytes.length + 1)).sort((a, b) => a - b), bytes.length]) {
      parser.feed(bytes.subarray(prev, Math.max(prev, c)));
      prev = Math.max(prev, c);
      for (let i = 0; i < 20 && parser.next() !== null; i++);
    }
    return true;
  },
);

/** Encodes a frame; one the encoder itself refuses (too large) stands for random bytes. */
function safeEncode(f: Frame): Buffer {
  try {
    return encodeFrame(f);
  } catch (e) {
    if (e instanceof RangeError) return Buffer.alloc(0);
    throw e;
  }
}
