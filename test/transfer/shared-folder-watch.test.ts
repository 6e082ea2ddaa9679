import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { SharedFolder } from '../../src/files/shared-folder.js';
import { HashPool } from '../../src/transfer/hash-pool.js';
import { tempDir } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a watched folder is not listed again while nothing changes, and a new file still shows up at once', async (t) => {
  const dir = await tempDir(t);
  await fsp.writeFile(join(dir, 'one.txt'), 'x');
  const pool = new HashPool(1);
  const folder = new SharedFolder(dir, pool);
  // Counts the folder's listings (the module reads through this same fs.promises object).
  const readdir = fsp.readdir;
  let listings = 0;
  fsp.readdir = ((...args: Parameters<typeof readdir>) => (listings++, readdir(...args))) as typeof readdir;
  t.teardown(() => {
    fsp.readdir = readdir;
    folder.stop();
    pool.close();
  });
  await folder.start();
  t.deepEqual(
    folder.list.map((f) => f.name),
    ['one.txt'],
  );
  listings = 0;
  await sleep(3500); // longer than the rescan period of a folder that cannot be watched
  t.is(listings, 0, 'no periodic listing while the watch is up');

  await fsp.writeFile(join(dir, 'two.txt'), 'y');
  const until = Date.now() + 3000;
  while (!folder.has('two.txt') && Date.now() < until) await sleep(20);
  t.true(folder.has('two.txt'), 'the watch event lists the folder again');
  t.true(listings >= 1);
});
