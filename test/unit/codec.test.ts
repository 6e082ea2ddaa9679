import test from 'ava';
import { encode } from '@msgpack/msgpack';
import { decodePayload, encodeFrame, FrameDecoder, parseResponse } from '../../src/wire/codec.js';
import { DecodeError } from '../../src/wire/errors.js';

const payloadOf = (buf: Buffer) => buf.subarray(4);

test('a request round-trips through frame and decoder', (t) => {
  const frame = encodeFrame({ kind: 'request', id: 7, type: 'find_step', body: { key: 'abc', exclude: [] } });
  const out = new FrameDecoder().push(frame);
  t.is(out.length, 1);
  t.deepEqual(decodePayload(out[0]!), { kind: 'request', id: 7, type: 'find_step', body: { key: 'abc', exclude: [] } });
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
  const got: Buffer[] = [];
  for (let i = 0; i < all.length; i++) got.push(...dec.push(all.subarray(i, i + 1)));
  t.is(got.length, 2);
  t.is(decodePayload(got[1]!).kind, 'response');
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
  t.throws(() => decodePayload(Buffer.from(encode([9, 1, 'ping', {}]))), { instanceOf: DecodeError, message: /frame kind/ });
  t.throws(() => decodePayload(Buffer.from(encode([1, 1, 'no_such', {}]))), { instanceOf: DecodeError, message: /unknown request type/ });
  t.throws(() => decodePayload(Buffer.from(encode([1, -1, 'ping', {}]))), { instanceOf: DecodeError, message: /request id/ });
});

test('bodies are validated against their schema', (t) => {
  t.throws(() => decodePayload(Buffer.from(encode([1, 1, 'find_step', { key: 'XYZ', exclude: [] }]))), { message: /key/ });
  t.throws(() => decodePayload(Buffer.from(encode([1, 1, 'notify', { node: { id: 'ab', address: 'no port' } }]))), { message: /address/ });
  t.throws(() => decodePayload(Buffer.from(encode([1, 1, 'ping', { extra: 1 }]))), { instanceOf: DecodeError });
  const tooMany = Array.from({ length: 2000 }, () => ({ id: 'a', address: 'h:1' }));
  t.throws(() => parseResponse('neighbours', { predecessor: null, successors: tooMany }), { instanceOf: DecodeError });
});

test('hello carries version, id, routing and bits', (t) => {
  const body = { version: 1, id: 'abc', address: '127.0.0.1:5500', bits: 16, routing: 'naive' as const };
  const f = decodePayload(payloadOf(encodeFrame({ kind: 'hello', body })));
  t.deepEqual(f, { kind: 'hello', body });
  t.throws(() => decodePayload(Buffer.from(encode([0, 0, 'hello', { ...body, bits: 161 }]))), { instanceOf: DecodeError });
});

test('error frames keep their code and message', (t) => {
  const f = decodePayload(payloadOf(encodeFrame({ kind: 'error', id: 3, code: 'NOT_IN_RING', message: 'nope' })));
  t.deepEqual(f, { kind: 'error', id: 3, code: 'NOT_IN_RING', message: 'nope' });
});
