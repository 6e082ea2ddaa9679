/** put and share take a bare name from the shared folder; a file put from elsewhere keeps its size. */
import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileService } from '../../src/files/file-service.js';
import { SimRing } from '../../src/sim/sim-ring.js';
import { tempDir } from './helpers.js';

async function service(root: string) {
  const sim = new SimRing({ seed: 5 });
  const node = await sim.spawn();
  const files = new FileService(node, { dir: join(root, 'shared'), dataDir: join(root, 'data') });
  await files.start();
  return { sim, files };
}

test('a bare name given to put or share is the file in the shared folder, not in the current directory', async (t) => {
  const dir = tempDir('p2pterm-paths-');
  const { sim, files } = await service(dir.path);
  try {
    t.not(process.cwd(), join(dir.path, 'shared'));
    writeFileSync(join(dir.path, 'shared', 'report.pdf'), 'quarterly figures');
    const put = await files.put('report.pdf');
    t.is(put.size, 'quarterly figures'.length);
    const shared = await files.share('report.pdf');
    t.is(shared.name, 'report.pdf');
    // A name in neither place is reported against the shared folder the user sees.
    const e = await t.throwsAsync(files.put('missing.pdf'));
    t.true(e.message.includes(join(dir.path, 'shared', 'missing.pdf')), e.message);
  } finally {
    await files.stop();
    await sim.stop();
    dir.remove();
  }
});

test('a file put from outside the shared folder is listed with its size, also after a restart', async (t) => {
  const dir = tempDir('p2pterm-sizes-');
  mkdirSync(join(dir.path, 'elsewhere'));
  const src = join(dir.path, 'elsewhere', 'notes.txt');
  writeFileSync(src, 'x'.repeat(1234));
  let { sim, files } = await service(dir.path);
  try {
    await files.put(src);
    const entry = files.entries().find((f) => f.name === 'notes.txt');
    t.deepEqual(entry, { name: 'notes.txt', size: 1234, states: ['ring'] });
    await files.stop();
    await sim.stop();
    ({ sim, files } = await service(dir.path));
    t.is(files.entries().find((f) => f.name === 'notes.txt')?.size, 1234);
  } finally {
    await files.stop();
    await sim.stop();
    dir.remove();
  }
});
