/**
 * Several consoles on one daemon: two control clients subscribe at once, each gets the state
 * and history on attach, both see the events a command from either one causes, and one
 * leaving does not cut the other off.
 */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlClient } from '../../src/cli/control-client.js';
import type { ControlMessage } from '../../src/cli/control-protocol.js';
import { startProc } from '../helpers/headless-proc.js';

/** The next `lookup:done` event the client is sent. */
function lookupSeen(client: ControlClient): Promise<ControlMessage> {
  return new Promise((resolve) => {
    const off = client.onEvent((m) => {
      if (m.event === 'lookup:done') {
        off();
        resolve(m);
      }
    });
  });
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

test('two consoles attached at once both follow the daemon, and one detaching leaves the other', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'p2pterm-multi-'));
  const env = { XDG_RUNTIME_DIR: join(root, 'run'), P2PTERM_CONFIG_DIR: join(root, 'config') };
  const daemon = startProc(['daemon', '--port', '0', '--bits', '16', '--data', join(root, 'data')], env);
  const clients: ControlClient[] = [];
  try {
    const hello = await daemon.waitLine((o) => o.event === 'listening', 30_000);
    const sock = hello.socket as string;
    const a = await ControlClient.connect(sock);
    const b = await ControlClient.connect(sock);
    clients.push(a, b);
    const [ha, hb] = await Promise.all([a.subscribe(), b.subscribe()]);
    t.is(ha.state.snapshot.address, hello.address);
    t.is(hb.state.snapshot.address, hello.address);

    // A lookup typed in one console shows in both.
    const seenA = lookupSeen(a);
    const seenB = lookupSeen(b);
    const reply = await a.command('lookup', ['first-key']);
    t.true(reply.ok, JSON.stringify(reply));
    const [ea, eb] = await within(Promise.all([seenA, seenB]), 10_000, 'lookup:done on both consoles');
    t.deepEqual(ea.payload, eb.payload);
    t.is((ea.payload as { key: string }).key, reply.key as string);

    // The first console detaches; the second still drives and follows the daemon.
    a.close();
    const seenAgain = lookupSeen(b);
    const again = await b.command('lookup', ['second-key']);
    t.true(again.ok);
    const e2 = await within(seenAgain, 10_000, 'lookup:done after the other console left');
    t.is((e2.payload as { key: string }).key, again.key as string);
    t.like(await b.command('state', []), { ok: true, address: hello.address });
  } finally {
    for (const c of clients) c.close();
    daemon.kill('SIGTERM');
    await daemon.exited();
    rmSync(root, { recursive: true, force: true });
  }
});
