/**
 * A peer that serves corrupted chunks cannot make a download produce a wrong file: its bad
 * chunks fail verification, it is dropped for the transfer, and the chunks come from honest
 * peers instead. Real TCP, in one process.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPeer, type Peer } from '../../src/files/start-file-service.js';
import { readChunk } from '../../src/transfer/chunk-reader.js';
import { startTracker } from '../tracker/helpers.js';
import { waitFor } from '../helpers/wait.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('chunks from a lying peer are rejected and fetched from honest ones', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'p2pterm-evil-'));
  const tracker = await startTracker();
  const peers: Peer[] = [];
  try {
    const bytes = randomBytes(3 * 1024 * 1024 + 123);
    const dirs = ['honest', 'evil', 'down'].map((n) => (mkdirSync(join(root, n)), join(root, n)));
    writeFileSync(join(dirs[0]!, 'data.bin'), bytes);
    writeFileSync(join(dirs[1]!, 'data.bin'), bytes);
    const start = (i: number) =>
      startPeer({
        port: 0,
        bits: 32,
        dir: dirs[i]!,
        dataDir: join(root, `data-${i}`),
        tracker: `127.0.0.1:${tracker.port}`,
      });
    const honest = await start(0);
    const evil = await start(1);
    const down = await start(2);
    peers.push(honest, evil, down);
    // The evil peer announces the real file (same manifest) but flips a byte in every chunk it serves.
    let served = 0;
    evil.node.handle('file_chunk', async ({ name, index }) => {
      const entry = await evil.files.folder.manifest(name);
      const data = Buffer.from(await readChunk(evil.files.folder.pathOf(name), entry.manifest, index));
      data[0] = data[0]! ^ 0xff;
      served++;
      return { data: data as Uint8Array<ArrayBuffer> };
    });
    t.true(
      await waitFor(
        async () => (await down.files.search('data.bin')).some((m) => m.sources.filter((s) => s.online).length === 2),
        10_000,
      ),
    );
    const r = await down.files.get('data.bin');
    t.is(r.sha256, sha(bytes));
    t.true(readFileSync(r.path).equals(bytes), 'the file on disk is the real one');
    t.true(served >= 1, 'the lying peer was asked and its chunks were refused');
    t.deepEqual(
      readdirSync(dirs[2]!).filter((n) => n.includes('.part')),
      [],
      'no partial files left behind',
    );
  } finally {
    for (const p of peers) await p.stop();
    await tracker.close();
    rmSync(root, { recursive: true, force: true });
  }
});
