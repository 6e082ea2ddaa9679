/**
 * 1 GiB between two peer processes, byte-identical; a download killed half-way resumes from
 * its verified chunks, and no file appears under its final name before it is complete.
 */
import test from 'ava';
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startNode, startProc, type Proc } from '../helpers/headless-proc.js';
import { waitFor } from '../helpers/wait.js';

const SIZE = 1024 ** 3;

function makeFile(path: string): string {
  const fd = openSync(path, 'w');
  const hash = createHash('sha256');
  const block = Buffer.alloc(16 * 1024 * 1024);
  for (let done = 0; done < SIZE; done += block.length) {
    randomFillSync(block);
    writeSync(fd, block);
    hash.update(block);
  }
  closeSync(fd);
  return hash.digest('hex');
}

test('1 GiB round-trips between processes, and a killed download resumes', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'p2pterm-big-'));
  const procs: Proc[] = [];
  try {
    for (const d of ['src', 'dst']) mkdirSync(join(root, d));
    const sha = makeFile(join(root, 'src', 'big.bin'));
    const tp = await freePort();
    const tracker = startProc(['tracker', '--host', '127.0.0.1', '--port', String(tp), '--db', join(root, 't.db')]);
    procs.push(tracker);
    await tracker.waitLine((o) => o.event === 'listening');
    const peer = async (d: string) => {
      const p = await startNode(await freePort(), [
        '--bits',
        '32',
        '--dir',
        join(root, d),
        '--data',
        join(root, `data-${d}`),
        '--tracker',
        `127.0.0.1:${tp}`,
      ]);
      procs.push(p);
      return p;
    };
    const src = await peer('src');
    const first = await peer('dst');
    t.true(
      await waitFor(
        async () =>
          ((await first.cmd('search big.bin')).matches ?? []).some((m: { name: string }) => m.name === 'big.bin'),
        60_000,
        500,
      ),
      'the source announced the file',
    );

    // Start a download and kill the downloader once part of the file is on disk.
    first.child.stdin!.write('get big.bin\n');
    const part = join(root, 'dst', 'big.bin.part');
    // Kill it once its resume state has been made durable at least once (every 64 MiB).
    t.true(await waitFor(() => existsSync(`${part}.state`), 120_000, 20), 'a checkpoint of the verified chunks');
    first.kill('SIGKILL');
    await first.exited();
    t.false(existsSync(join(root, 'dst', 'big.bin')), 'nothing under the final name while incomplete');

    const again = await peer('dst');
    const r = await again.cmd('get big.bin', 240_000);
    t.true(r.ok, JSON.stringify(r));
    t.is(r.sha256, sha);
    t.is(statSync(join(root, 'dst', 'big.bin')).size, SIZE);
    t.true(r.resumedChunks > 0, `resumed ${r.resumedChunks} chunks`);
    t.false(existsSync(part));
    void src;
  } finally {
    for (const p of procs) p.kill();
    rmSync(root, { recursive: true, force: true });
  }
});
