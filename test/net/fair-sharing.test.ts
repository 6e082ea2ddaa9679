/**
 * Fair sharing over loopback TCP: three peers download one file from a rate-limited seeder.
 * Two of them uploaded to the seeder before (it fetched a file from each); the third never
 * serves anything to anyone. The seeder's choker serves the two sharers first: they finish
 * first, while the freeloader has got little, and the freeloader still completes.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPeer, type Peer } from '../../src/files/start-file-service.js';
import { startTracker } from '../tracker/helpers.js';
import { waitFor } from '../helpers/wait.js';

const MiB = 1024 * 1024;
/** The shared file: 40 spans of 1 MiB, so that a freeloader's optimistic start is a small part of it. */
const FILE_BYTES = 40 * MiB;
/** The seeder's upload limit: requests queue at its upload places, where the choker orders them. */
const SEED_UPLOAD_BPS = 20 * MiB;

test('two peers that share finish before a freeloader, which still completes', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'p2pterm-fair-'));
  const tracker = await startTracker();
  const peers: Peer[] = [];
  try {
    const names = ['seed', 'sharer-a', 'sharer-b', 'freeloader'];
    const dirs = names.map((n) => (mkdirSync(join(root, n)), join(root, n)));
    const big = randomBytes(FILE_BYTES);
    writeFileSync(join(dirs[0]!, 'big.bin'), big);
    writeFileSync(join(dirs[1]!, 'a.bin'), randomBytes(2 * MiB));
    writeFileSync(join(dirs[2]!, 'b.bin'), randomBytes(2 * MiB));
    for (const [i, dir] of dirs.entries())
      peers.push(
        await startPeer({
          port: 0,
          bits: 32,
          dir,
          dataDir: join(root, `data-${i}`),
          tracker: `127.0.0.1:${tracker.port}`,
          limits: i === 0 ? { uploadRateBps: SEED_UPLOAD_BPS } : undefined,
        }),
      );
    const [seed, sharerA, sharerB, freeloader] = peers as [Peer, Peer, Peer, Peer];
    const online = (p: Peer, name: string) => async () =>
      (await p.files.search(name)).some((m) => m.name === name && m.sources.some((s) => s.online));
    for (const [p, name] of [
      [seed, 'a.bin'],
      [seed, 'b.bin'],
      [freeloader, 'big.bin'],
    ] as const)
      t.true(await waitFor(online(p, name), 10_000), `${name} announced`);

    // The sharers upload to the seeder: it fetches a file from each.
    await seed.files.get('a.bin');
    await seed.files.get('b.bin');
    const addr = (p: Peer) => p.node.self.address;
    const before = new Map(seed.files.uploadPeers().map((p) => [p.peer, p]));
    t.is(before.has(addr(freeloader)), false, 'the freeloader never dealt with the seeder');

    const finished: string[] = [];
    let freeloaderShare = Number.NaN;
    const fetch = async (p: Peer, name: string) => {
      const r = await p.files.get('big.bin');
      finished.push(name);
      if (finished.length === 2) {
        // Both sharers done (if the choker works): how much had the freeloader got by then?
        const f = seed.files.uploadPeers().find((u) => u.peer === addr(freeloader));
        freeloaderShare = (f?.sent ?? 0) / FILE_BYTES;
      }
      return r;
    };
    const results = await Promise.all([
      fetch(freeloader, 'freeloader'),
      fetch(sharerA, 'sharer-a'),
      fetch(sharerB, 'sharer-b'),
    ]);
    t.log(`finish order ${finished.join(', ')}; freeloader had ${(freeloaderShare * 100).toFixed(0)}% by then`);
    t.is(finished[2], 'freeloader', `finish order ${finished.join(', ')}`);
    t.true(
      freeloaderShare < 0.5,
      `the freeloader had ${(freeloaderShare * 100).toFixed(0)}% when both sharers were done`,
    );
    for (const r of results) t.true(readFileSync(r.path).equals(big), `${r.path} is the file`);

    // The seeder's view, as the Transfers pane shows it.
    const view = new Map(seed.files.uploadPeers().map((p) => [p.peer, p]));
    t.is(view.get(addr(sharerA))?.state, 'unchoked');
    t.is(view.get(addr(sharerA))?.why, 'uploads to us');
    t.is(view.get(addr(freeloader))?.state, 'choked');
    t.is(view.get(addr(freeloader))?.why, 'never uploads to us');
    t.is(view.get(addr(freeloader))?.received, 0);
    t.true((view.get(addr(freeloader))?.sent ?? 0) >= FILE_BYTES);
  } finally {
    for (const p of peers) await p.stop();
    await tracker.close();
    rmSync(root, { recursive: true, force: true });
  }
});
