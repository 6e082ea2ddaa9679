import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { SharedFolder } from '../../src/files/shared-folder.js';
import { HashPool } from '../../src/transfer/hash-pool.js';
import { tempDir } from './helpers.js';

test('the folder lists shareable files only: a download in progress, its state and dotfiles are not offered', async (t) => {
  const dir = await tempDir(t);
  const pool = new HashPool(1);
  const folder = new SharedFolder(dir, pool);
  t.teardown(() => (folder.stop(), pool.close()));
  for (const name of [
    'song.ogg',
    'big.bin.part',
    'big.bin.part.state',
    'big.bin.part.state.tmp',
    '.hidden',
    'notes.part.txt',
  ]) {
    await writeFile(join(dir, name), 'x');
  }
  await folder.start();
  t.deepEqual(
    (await folder.rescan()).map((f) => f.name),
    ['notes.part.txt', 'song.ogg'],
  );
  let changes = 0;
  folder.on('changed', () => void changes++);
  // A download writing its part and checkpointing its state changes nothing that is offered.
  for (let i = 0; i < 5; i++) {
    await writeFile(join(dir, 'big.bin.part'), 'xy'.repeat(i + 1));
    await writeFile(join(dir, 'big.bin.part.state.tmp'), String(i));
  }
  await new Promise((r) => setTimeout(r, 200));
  t.is(changes, 0);
  await writeFile(join(dir, 'big.bin'), 'done');
  await new Promise((r) => setTimeout(r, 300));
  t.true(folder.has('big.bin'), 'a finished file shows up');
  t.true(changes >= 1);
});
