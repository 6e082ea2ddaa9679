import test from 'ava';
import { createHash } from 'node:crypto';
import {
  assertBits,
  distance,
  fingerStart,
  hashId,
  hexToId,
  idToHex,
  inHalfOpen,
  inOpen,
  ringSize,
} from '../../src/core/ring-math.js';

test('hashId is SHA-1 big-endian modulo 2^m for every m in 1..160', (t) => {
  const full = BigInt('0x' + createHash('sha1').update('127.0.0.1:5500', 'utf8').digest('hex'));
  for (let m = 1; m <= 160; m++) t.is(hashId('127.0.0.1:5500', m), full % (1n << BigInt(m)));
  t.is(hashId('127.0.0.1:5500', 160), full);
});

test('hashId hashes UTF-8', (t) => {
  const want = BigInt('0x' + createHash('sha1').update(Buffer.from('ключ', 'utf8')).digest('hex')) % 1024n;
  t.is(hashId('ключ', 10), want);
});

test('ids print as lowercase hex without prefix and parse back', (t) => {
  t.is(idToHex(255n), 'ff');
  t.is(hexToId('ff'), 255n);
  t.throws(() => hexToId('0xff'));
  t.throws(() => hexToId('g1'));
});

test('bits outside 1..160 are refused', (t) => {
  t.throws(() => assertBits(0));
  t.throws(() => assertBits(161));
  t.throws(() => assertBits(1.5));
  t.notThrows(() => assertBits(1));
  t.notThrows(() => assertBits(160));
});

test('open interval without wrap-around', (t) => {
  t.true(inOpen(5n, 1n, 10n));
  t.false(inOpen(1n, 1n, 10n));
  t.false(inOpen(10n, 1n, 10n));
  t.false(inOpen(11n, 1n, 10n));
});

test('open interval wrapping past zero', (t) => {
  t.true(inOpen(62n, 60n, 3n));
  t.true(inOpen(0n, 60n, 3n));
  t.true(inOpen(2n, 60n, 3n));
  t.false(inOpen(3n, 60n, 3n));
  t.false(inOpen(60n, 60n, 3n));
  t.false(inOpen(30n, 60n, 3n));
});

test('(a, a) is the ring without a, (a, a] is the whole ring', (t) => {
  t.true(inOpen(7n, 5n, 5n));
  t.false(inOpen(5n, 5n, 5n));
  t.true(inHalfOpen(5n, 5n, 5n));
  t.true(inHalfOpen(0n, 5n, 5n));
});

test('half-open interval includes its end, also across zero', (t) => {
  t.true(inHalfOpen(10n, 1n, 10n));
  t.false(inHalfOpen(1n, 1n, 10n));
  t.true(inHalfOpen(3n, 60n, 3n));
  t.true(inHalfOpen(61n, 60n, 3n));
  t.false(inHalfOpen(60n, 60n, 3n));
});

test('the design document example: key 51 -> 60, key 61 -> 1 on ids {1,12,13,25,32,40,48,60}', (t) => {
  const ids = [1n, 12n, 13n, 25n, 32n, 40n, 48n, 60n];
  const owner = (k: bigint) => ids.find((id, i) => inHalfOpen(k, ids[(i - 1 + ids.length) % ids.length]!, id))!;
  t.is(owner(51n), 60n);
  t.is(owner(60n), 60n);
  t.is(owner(61n), 1n);
  t.is(owner(0n), 1n);
  t.is(owner(53n), 60n);
});

test('finger starts wrap modulo 2^m', (t) => {
  t.is(fingerStart(60n, 0, 6), 61n);
  t.is(fingerStart(60n, 2, 6), 0n);
  t.is(fingerStart(60n, 5, 6), 28n);
  for (let m = 1; m <= 160; m += 13) {
    const top = ringSize(m) - 1n;
    t.is(fingerStart(top, 0, m), 0n);
    t.is(fingerStart(0n, m - 1, m), 1n << BigInt(m - 1));
  }
});

test('clockwise distance', (t) => {
  t.is(distance(60n, 3n, 6), 7n);
  t.is(distance(3n, 60n, 6), 57n);
  t.is(distance(5n, 5n, 6), 0n);
  t.is(distance(0n, 1n, 1), 1n);
});
