/** IPv6 end to end on loopback: nodes on ::1 print, join and are hashed as "[::1]:PORT". */
import test from 'ava';
import { hashId } from '../../src/core/ring-math.js';
import { freePort, startProc, type Proc } from '../helpers/headless-proc.js';
import { waitFor } from '../helpers/wait.js';

test('two nodes on [::1] form a ring through a bracketed address; --advertise sets address and id', async (t) => {
  const procs: Proc[] = [];
  t.teardown(() => {
    for (const p of procs) p.kill();
  });
  const [pa, pb] = [await freePort(), await freePort()];
  const start = async (args: string[]) => {
    const p = startProc(['node', '--headless', '--bits', '24', '--stabilize-ms', '100', ...args]);
    procs.push(p);
    return (await p.waitLine((o) => o.event === 'listening', 60_000)) as { id: string; address: string };
  };
  const a = await start(['--host', '::1', '--port', `${pa}`]);
  t.is(a.address, `[::1]:${pa}`);
  t.is(BigInt(`0x${a.id}`), hashId(`[::1]:${pa}`, 24));
  // Listening on one address, known by a bracketed literal with the same port.
  const b = await start(['--host', '[::1]', '--port', `${pb}`, '--advertise', '[::1]', '--join', a.address]);
  t.is(b.address, `[::1]:${pb}`);
  const ring = await waitFor(async () => {
    const s = await procs[0]!.cmd('state');
    return s.successors?.[0]?.address === b.address && s.predecessor?.address === b.address;
  }, 20_000);
  t.true(ring, 'a and b are each other’s successor and predecessor');
});
