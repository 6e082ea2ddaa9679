import test from 'ava';
import { advertisedAddress } from '../../src/transport/advertise-address.js';
import { isWildcard, joinHostPort, parseAdvertise, splitAddress } from '../../src/wire/address.js';

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
