/** A RingStore call ends as soon as its signal aborts, with a stable ABORTED code. */
import test from 'ava';
import { StoreRing, bytesOf, textOf } from './helpers.js';

/** Whether `p` has settled by the time the event loop comes round. */
const settled = (p: Promise<unknown>): Promise<boolean> =>
  Promise.race([
    p.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((r) => setImmediate(() => r(false))),
  ]);

test('an aborted signal ends get and put at once, with ABORTED, while peers stay silent', async (t) => {
  const sr = new StoreRing({ seed: 41 });
  await sr.addSequential(6);
  await sr.ready();
  const [reader, ...others] = sr.live;
  const key = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'].find((k) => !sr.expectedHolders(k).includes(reader!.node))!;
  await sr.ring.settle(others[0]!.put(key, bytesOf('value')));
  await t.throwsAsync(reader!.get(key, { signal: AbortSignal.abort() }), { code: 'ABORTED' }, 'aborted before');

  // Cut the reader off: its requests would now wait for their timeouts on the virtual clock.
  sr.ring.network.partition([[reader!.node.self.address], others.map((s) => s.node.self.address)]);
  const ctl = new AbortController();
  const get = reader!.get(key, { signal: ctl.signal });
  const put = reader!.put(`${key}-new`, bytesOf('new'), 'value', { signal: ctl.signal });
  await sr.ring.clock.advance(100);
  t.false(await settled(get), 'get waits on the silent peers');
  t.false(await settled(put), 'put waits on the silent peers');
  ctl.abort();
  // No further clock advance: only the abort can settle them.
  await t.throwsAsync(get, { code: 'ABORTED' });
  await t.throwsAsync(put, { code: 'ABORTED' });

  sr.ring.network.heal();
  t.is(textOf(await sr.ring.settle(reader!.get(key))), 'value', 'the store works on after an abort');
  await sr.stop();
});
