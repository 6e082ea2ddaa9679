/**
 * A private network end to end, in one process on loopback: members share, find (through a
 * private tracker) and download a file; a node without the secret can neither join nor
 * download from a member, and a member records who it choked.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPeer, type Peer } from '../../src/files/start-file-service.js';
import { networkKey, parseSecret } from '../../src/transport/network-secret.js';
import { startTracker } from '../tracker/helpers.js';
import { waitFor } from '../helpers/wait.js';

const KEY = networkKey(parseSecret('7e'.repeat(32)));

test('members download from each other; an outsider cannot join or download', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'p2pterm-private-'));
  const tracker = await startTracker({ networkKey: KEY });
  const peers: Peer[] = [];
  try {
    const bytes = randomBytes(1024 * 1024 + 77);
    const dirs = ['seed', 'member', 'outsider'].map((n) => (mkdirSync(join(root, n)), join(root, n)));
    writeFileSync(join(dirs[0]!, 'data.bin'), bytes);
    const start = (i: number, key: Buffer | undefined) =>
      startPeer({
        port: 0,
        bits: 32,
        dir: dirs[i]!,
        dataDir: join(root, `data-${i}`),
        tracker: `127.0.0.1:${tracker.port}`,
        networkKey: key,
      });
    const seed = await start(0, KEY);
    const member = await start(1, KEY);
    const outsider = await start(2, undefined);
    peers.push(seed, member, outsider);
    await member.node.join(seed.node.self.address);
    const refused = await t.throwsAsync(outsider.node.join(seed.node.self.address));
    t.regex(refused!.message, /does not share this network's secret/);
    t.true(
      await waitFor(
        async () => (await member.files.search('data.bin')).some((m) => m.sources.some((s) => s.online)),
        10_000,
      ),
    );
    const r = await member.files.get('data.bin');
    t.true(readFileSync(r.path).equals(bytes));
    // The member credits the seed for what it sent; the seed knows the member asked.
    const credit = member.files.uploadPeers().find((p) => p.peer === seed.node.self.address);
    t.true(credit !== undefined && credit.credit > bytes.length / 2 && !credit.choked, JSON.stringify(credit));
    t.deepEqual(
      seed.files.uploadPeers().map((p) => p.peer),
      [member.node.self.address],
    );
    const direct = await t.throwsAsync(
      outsider.node.request(seed.node.self.address, 'file_manifest', { name: 'data.bin' }),
    );
    t.regex(direct!.message, /does not share this network's secret/);
  } finally {
    for (const p of peers) await p.stop();
    await tracker.close();
    rmSync(root, { recursive: true, force: true });
  }
});
