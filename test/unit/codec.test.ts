import test from 'ava';
import { encode } from '@msgpack/msgpack';
import {
  decodePayload,
  encodeFrame,
  FrameDecoder,
  parseResponse,
  TAIL_MIN_BYTES,
  type RawFrame,
} from '../../src/wire/codec.js';
import { DecodeError } from '../../src/wire/errors.js';

const payloadOf = (buf: Buffer) => buf.subarray(4);

test('a request round-trips through frame and decoder', (t) => {
  const frame = encodeFrame({ kind: 'request', id: 7, type: 'find_step', body: { key: 'abc', exclude: [] } });
  const out = new FrameDecoder().push(frame);
  t.is(out.length, 1);
  t.deepEqual(decodePayload(out[0]!.payload), {
    kind: 'request',
    id: 7,
    type: 'find_step',
    body: { key: 'abc', exclude: [] },
  });
});

test('binary values travel as raw bytes, not base64', (t) => {
  const value = new Uint8Array(1000).fill(0xab);
  const frame = encodeFrame({ kind: 'request', id: 1, type: 'store_put', body: { key: 'k', value, replica: 0 } });
  t.true(frame.length < 1100, 'frame overhead stays small');
  t.true(frame.includes(Buffer.from(value)), 'the bytes appear verbatim in the frame');
  const f = decodePayload(payloadOf(frame));
  t.true(Buffer.from((f as { body: { value: Uint8Array } }).body.value).equals(Buffer.from(value)));
});

test('the decoder splits frames across arbitrary chunk boundaries', (t) => {
  const a = encodeFrame({ kind: 'request', id: 1, type: 'ping', body: {} });
  const b = encodeFrame({ kind: 'response', id: 1, body: { id: 'ff' } });
  const all = Buffer.concat([a, b]);
  const dec = new FrameDecoder();
  const got: RawFrame[] = [];
  for (let i = 0; i < all.length; i++) got.push(...dec.push(all.subarray(i, i + 1)));
  t.is(got.length, 2);
  t.is(decodePayload(got[1]!.payload).kind, 'response');
});

test('an oversized declared length is refused before the body arrives', (t) => {
  const dec = new FrameDecoder(1024);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(1025);
  const e = t.throws(() => dec.push(head), { instanceOf: DecodeError });
  t.regex(e!.message, /exceeds/);
});

test('garbage is a DecodeError, not a crash', (t) => {
  t.throws(() => decodePayload(Buffer.from([0xc1, 0xc1, 0xc1])), { instanceOf: DecodeError });
  t.throws(() => decodePayload(Buffer.from(encode({ not: 'an array' }))), { instanceOf: DecodeError });
  t.throws(() => decodePayload(Buffer.from(encode([9, 1, 'ping', {}]))), {
    instanceOf: DecodeError,
    message: /frame kind/,
  });
  t.throws(() => decodePayload(Buffer.from(encode([1, 1, 'no_such', {}]))), {
    instanceOf: DecodeError,
    message: /unknown request type/,
  });
  t.throws(() => decodePayload(Buffer.from(encode([1, -1, 'ping', {}]))), {
    instanceOf: DecodeError,
    message: /request id/,
  });
});

test('bodies are validated against their schema', (t) => {
  t.throws(() => decodePayload(Buffer.from(encode([1, 1, 'find_step', { key: 'XYZ', exclude: [] }]))), {
    message: /key/,
  });
  t.throws(() => decodePayload(Buffer.from(encode([1, 1, 'notify', { node: { id: 'ab', address: 'no port' } }]))), {
    message: /address/,
  });
  t.throws(() => decodePayload(Buffer.from(encode([1, 1, 'ping', { extra: 1 }]))), { instanceOf: DecodeError });
  const tooMany = Array.from({ length: 2000 }, () => ({ id: 'a', address: 'h:1' }));
  t.throws(() => parseResponse('neighbours', { predecessor: null, successors: tooMany }), { instanceOf: DecodeError });
});

test('hello carries version, id, routing and bits', (t) => {
  const body = { version: 1, id: 'abc', address: '127.0.0.1:5500', bits: 16, routing: 'naive' as const };
  const f = decodePayload(payloadOf(encodeFrame({ kind: 'hello', body })));
  t.deepEqual(f, { kind: 'hello', body });
  t.throws(() => decodePayload(Buffer.from(encode([0, 0, 'hello', { ...body, bits: 161 }]))), {
    instanceOf: DecodeError,
  });
});

test('error frames keep their code and message', (t) => {
  const f = decodePayload(payloadOf(encodeFrame({ kind: 'error', id: 3, code: 'NOT_IN_RING', message: 'nope' })));
  t.deepEqual(f, { kind: 'error', id: 3, code: 'NOT_IN_RING', message: 'nope' });
});

test('a large binary field travels as a raw tail and comes back in its field', (t) => {
  const data = Buffer.alloc(64 * 1024, 0x5a);
  const frame = encodeFrame({ kind: 'response', id: 9, body: { data } });
  t.true(frame.readUInt32BE(0) >= 0x8000_0000, 'the tail flag is set');
  t.is(frame.readUInt32BE(4), data.length);
  t.true(frame.subarray(frame.length - data.length).equals(data), 'the bytes end the frame verbatim');
  const dec = new FrameDecoder();
  const got: RawFrame[] = [];
  for (let i = 0; i < frame.length; i += 1000) got.push(...dec.push(frame.subarray(i, i + 1000)));
  t.is(got.length, 1);
  const f = decodePayload(got[0]!.payload, got[0]!.tail) as { kind: string; id: number; body: { data: Uint8Array } };
  t.is(f.kind, 'response');
  t.is(f.id, 9);
  t.true(Buffer.from(f.body.data).equals(data));
});

test('a tail lands in the buffer the caller offers, and frames after it still decode', (t) => {
  const data = Buffer.alloc(20_000, 7);
  const target = new Uint8Array(20_000);
  const stream = Buffer.concat([
    encodeFrame({ kind: 'response', id: 3, body: { data } }),
    encodeFrame({ kind: 'response', id: 4, body: { id: 'ff' } }),
  ]);
  const asked: number[] = [];
  const dec = new FrameDecoder(undefined, (_p, len) => (asked.push(len), target));
  const got: RawFrame[] = [];
  for (let i = 0; i < stream.length; i += 777) got.push(...dec.push(stream.subarray(i, i + 777)));
  t.deepEqual(asked, [20_000]);
  t.is(got.length, 2);
  t.is(got[0]!.tail, target, 'no extra buffer: the tail is the offered one');
  t.true(Buffer.from(target).equals(data));
  t.is((decodePayload(got[1]!.payload) as { id: number }).id, 4);
});

test('a dropped tail writes nothing more into its target and its frame is skipped', (t) => {
  const data = Buffer.alloc(40_000, 1);
  const target = new Uint8Array(40_000);
  const stream = Buffer.concat([
    encodeFrame({ kind: 'response', id: 3, body: { data } }),
    encodeFrame({ kind: 'response', id: 4, body: {} }),
  ]);
  const dec = new FrameDecoder(undefined, () => target);
  t.deepEqual(dec.push(stream.subarray(0, 10_000)), []);
  dec.dropTail(target);
  const written = target.reduce((n, b) => n + b, 0);
  const rest = dec.push(stream.subarray(10_000));
  t.is(
    target.reduce((n, b) => n + b, 0),
    written,
    'not one more byte',
  );
  t.is(rest.length, 1);
  t.is((decodePayload(rest[0]!.payload) as { id: number }).id, 4);
});

test('an oversized tail length is refused before its bytes arrive; a tail that clashes with the body is an error', (t) => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(0x8000_0000 + 10, 0);
  head.writeUInt32BE(2048, 4);
  t.throws(() => new FrameDecoder(1024).push(head), { instanceOf: DecodeError, message: /tail of 2048 bytes exceeds/ });
  const payload = Buffer.from(encode([2, 1, '', { data: 1 }, 'data']));
  t.throws(() => decodePayload(payload, new Uint8Array(4)), { instanceOf: DecodeError, message: /tail does not fit/ });
  t.throws(() => decodePayload(Buffer.from(encode([2, 1, '', {}])), new Uint8Array(4)), {
    instanceOf: DecodeError,
    message: /5-element/,
  });
});

test('frames with and without tails survive any split, also from a reused read buffer', (t) => {
  let seed = 42;
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) >>> 0) % n;
  const sent = Array.from({ length: 60 }, (_, i) =>
    i % 3 === 0
      ? { kind: 'response' as const, id: i, body: { data: Buffer.alloc(TAIL_MIN_BYTES + rnd(50_000), i) } }
      : { kind: 'response' as const, id: i, body: { note: 'x'.repeat(rnd(300)), small: Buffer.alloc(rnd(100), i) } },
  );
  const stream = Buffer.concat(sent.map((f) => encodeFrame(f)));
  for (const borrowed of [false, true]) {
    const dec = new FrameDecoder();
    const reused = Buffer.alloc(70_000);
    const got: RawFrame[] = [];
    for (let off = 0; off < stream.length; ) {
      const n = 1 + rnd(rnd(4) === 0 ? 5 : 65_000);
      const piece = stream.subarray(off, off + n);
      off += piece.length;
      if (!borrowed) got.push(...dec.push(piece));
      else {
        piece.copy(reused);
        const frames = dec.push(reused.subarray(0, piece.length), true);
        // Decode now, as the connection does, then scribble over the buffer like the next read would.
        got.push(...frames.map((f) => ({ payload: f.payload, tail: f.tail })));
        reused.fill(0xee);
      }
    }
    t.is(got.length, sent.length, borrowed ? 'borrowed' : 'owned');
    got.forEach((f, i) => {
      t.deepEqual(decodePayload(f.payload, f.tail), { kind: 'response', id: i, body: sent[i]!.body } as never);
    });
  }
});

test('a request to or from a virtual node carries its route; one without it has none', (t) => {
  const plain = decodePayload(payloadOf(encodeFrame({ kind: 'request', id: 1, type: 'ping', body: {} })));
  t.deepEqual(plain, { kind: 'request', id: 1, type: 'ping', body: {} });
  const routed = { kind: 'request', id: 2, type: 'ping', body: {}, route: { to: 3, from: 1 } } as const;
  t.deepEqual(decodePayload(payloadOf(encodeFrame(routed))), routed);
  const half = encodeFrame({ kind: 'request', id: 3, type: 'ping', body: {}, route: { to: undefined, from: 2 } });
  t.deepEqual(decodePayload(payloadOf(half)), { kind: 'request', id: 3, type: 'ping', body: {}, route: { from: 2 } });
  // A route of only virtual node 0 is left out: frames between single nodes are as before.
  const zero = encodeFrame({ kind: 'request', id: 4, type: 'ping', body: {}, route: {} });
  t.is(zero.length, encodeFrame({ kind: 'request', id: 4, type: 'ping', body: {} }).length);
  const value = new Uint8Array(TAIL_MIN_BYTES).fill(7);
  const body = { key: 'k', value, replica: 1, kind: 'chunk' } as const;
  const withTail = encodeFrame({ kind: 'request', id: 5, type: 'store_put', body, route: { to: 2 } });
  const frames: RawFrame[] = new FrameDecoder().push(withTail);
  const back = decodePayload(frames[0]!.payload, frames[0]!.tail);
  t.like(back, { kind: 'request', id: 5, type: 'store_put', route: { to: 2 } });
  const got = (back as { body: { value: Uint8Array } }).body.value;
  t.true(Buffer.from(got).equals(Buffer.from(value)), 'the tail is back in its field');
});

test('a bad route is a DecodeError', (t) => {
  const frame = (route: unknown, fifth: unknown = null) => encode([1, 1, 'ping', {}, fifth, route]);
  for (const bad of [{ to: 0 }, { to: 64 }, { to: 1.5 }, { from: -1 }, { to: 1, extra: 1 }, 'x', null]) {
    t.throws(() => decodePayload(frame(bad)), { instanceOf: DecodeError }, JSON.stringify(bad));
  }
  t.throws(() => decodePayload(frame({ to: 1 }, 'value')), { instanceOf: DecodeError }, 'a tail name without a tail');
  t.throws(() => decodePayload(encode([2, 1, '', {}, null, { to: 1 }])), { instanceOf: DecodeError }, 'on a response');
  t.notThrows(() => decodePayload(frame({ to: 1 })));
});
