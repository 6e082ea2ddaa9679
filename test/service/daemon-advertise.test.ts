/** The daemon starts its node from the same flags as `p2pterm node`: `--advertise` included. */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startProc } from '../helpers/headless-proc.js';

test('a daemon is known by the address it is told to advertise', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'p2pterm-daemon-adv-'));
  const advertised = `127.0.0.1:${await freePort()}`;
  const env = { XDG_RUNTIME_DIR: join(root, 'run'), P2PTERM_CONFIG_DIR: join(root, 'config') };
  const args = ['daemon', '--host', '127.0.0.1', '--port', '0', '--advertise', advertised, '--bits', '16'];
  const daemon = startProc([...args, '--data', join(root, 'data')], env);
  try {
    const hello = await daemon.waitLine((o) => o.event === 'listening', 30_000);
    t.is(hello.address, advertised);
  } finally {
    daemon.kill('SIGTERM');
    await daemon.exited();
    rmSync(root, { recursive: true, force: true });
  }
});
