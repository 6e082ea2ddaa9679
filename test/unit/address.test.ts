import test from 'ava';
import { advertisedAddress } from '../../src/transport/advertise-address.js';
import {
  hostOf,
  isWildcard,
  joinHostPort,
  parseAdvertise,
  splitAddress,
  splitVnode,
  vnodeAddress,
} from '../../src/wire/address.js';
import { address as addressSchema, hostAddress, wireRef } from '../../src/wire/messages.js';

test('IPv6 literals are bracketed when printed and unbracketed when split', (t) => {
  t.is(joinHostPort('::1', 5500), '[::1]:5500');
  t.is(joinHostPort('fd00:213:1::a', 1), '[fd00:213:1::a]:1');
  t.is(joinHostPort('10.0.0.1', 5500), '10.0.0.1:5500');
  t.is(joinHostPort('peer.example', 5500), 'peer.example:5500');
  t.deepEqual(splitAddress('[::1]:5500'), { host: '::1', port: 5500 });
  t.deepEqual(splitAddress('peer.example:7734'), { host: 'peer.example', port: 7734 });
  for (const bad of ['::1:5500', 'host', 'host:0', 'host:70000', '[::1]']) {
    t.throws(() => splitAddress(bad), { message: /not a host:port/ }, bad);
  }
});

test('--advertise takes a host, host:port, [v6], [v6]:port or a bare IPv6 literal', (t) => {
  t.deepEqual(parseAdvertise('10.1.2.3'), { host: '10.1.2.3' });
  t.deepEqual(parseAdvertise('10.1.2.3:6000'), { host: '10.1.2.3', port: 6000 });
  t.deepEqual(parseAdvertise('peer.example'), { host: 'peer.example' });
  t.deepEqual(parseAdvertise('[::1]'), { host: '::1' });
  t.deepEqual(parseAdvertise('::1'), { host: '::1' });
  t.deepEqual(parseAdvertise('[fd00::5]:5500'), { host: 'fd00::5', port: 5500 });
  t.throws(() => parseAdvertise('a b'));
  t.throws(() => parseAdvertise('[not-v6]:5500'));
});

test('wildcards are recognised', (t) => {
  t.true(isWildcard('0.0.0.0'));
  t.true(isWildcard('::'));
  t.false(isWildcard('127.0.0.1'));
  t.false(isWildcard('::1'));
});

test('the advertised address: given, the bound host, or (for a wildcard) a routable one', async (t) => {
  t.deepEqual(await advertisedAddress('0.0.0.0', 5500, '10.9.8.7'), { address: '10.9.8.7:5500', picked: null });
  t.deepEqual(await advertisedAddress('::', 5500, '[::1]:6000'), { address: '[::1]:6000', picked: null });
  t.deepEqual(await advertisedAddress('::1', 5500), { address: '[::1]:5500', picked: null });
  t.deepEqual(await advertisedAddress('127.0.0.1', 80), { address: '127.0.0.1:80', picked: null });
  // Picking sends no packet (a UDP connect only chooses a route); whatever it picks is never the wildcard.
  const picked = await advertisedAddress('0.0.0.0', 5500);
  t.truthy(picked.picked);
  t.notRegex(picked.address, /^0\.0\.0\.0:/);
  t.regex(picked.address, /:5500$/);
});

test('virtual node addresses: host:port for vnode 0, host:port/i after, IPv6 included', (t) => {
  t.is(vnodeAddress('10.0.0.1:5500', 0), '10.0.0.1:5500');
  t.is(vnodeAddress('10.0.0.1:5500', 3), '10.0.0.1:5500/3');
  t.is(vnodeAddress('[::1]:5500', 2), '[::1]:5500/2');
  t.deepEqual(splitVnode('[::1]:5500/2'), { host: '[::1]:5500', vnode: 2 });
  t.deepEqual(splitVnode('[::1]:5500'), { host: '[::1]:5500', vnode: 0 });
  t.deepEqual(splitVnode('peer.example:7734/63'), { host: 'peer.example:7734', vnode: 63 });
  t.is(hostOf('[::1]:5500/2'), '[::1]:5500');
  t.is(hostOf('peer.example:7734'), 'peer.example:7734');
  for (let i = 0; i < 64; i++) t.deepEqual(splitVnode(vnodeAddress('h:1', i)), { host: 'h:1', vnode: i });
  // One virtual node has one address: no "/0", no leading zeros, nothing past the last index.
  for (const bad of ['h:1/0', 'h:1/01', 'h:1/64', 'h:1/', 'h:1/x', 'h/1', '[::1]/2', 'h:1/2/3', '::1:5500/2']) {
    t.throws(() => splitVnode(bad), { code: 'BAD_ADDRESS' }, bad);
  }
  t.throws(() => vnodeAddress('h:1', 64), { code: 'BAD_ADDRESS' });
  t.throws(() => vnodeAddress('h:1', -1), { code: 'BAD_ADDRESS' });
});

test('the wire accepts virtual node addresses in refs, but a hello names a plain host:port', (t) => {
  for (const ok of ['h:1', 'h:1/2', '[::1]:5500/63', '10.0.0.1:5500/10'])
    t.true(addressSchema.safeParse(ok).success, ok);
  for (const bad of ['h:1/0', 'h:1/64', 'h:1/01', 'h:1/', 'h:1/2/3'])
    t.false(addressSchema.safeParse(bad).success, bad);
  t.true(wireRef.safeParse({ id: 'ab', address: '[::1]:5500/2' }).success);
  t.true(hostAddress.safeParse('[::1]:5500').success);
  t.false(hostAddress.safeParse('[::1]:5500/2').success);
});
