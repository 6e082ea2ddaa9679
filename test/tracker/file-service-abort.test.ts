/** FileService calls take an AbortSignal: an aborted one ends them with a stable ABORTED code. */
import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileService } from '../../src/files/file-service.js';
import { SimRing } from '../../src/sim/sim-ring.js';
import { startTracker, tempDir, waitFor } from './helpers.js';

test('put, get, share, unshare and search reject with ABORTED when their signal has aborted', async (t) => {
  const tracker = await startTracker();
  const dir = tempDir('p2pterm-files-abort-');
  const sim = new SimRing({ seed: 3 });
  const node = await sim.spawn();
  const files = new FileService(node, {
    dir: join(dir.path, 'shared'),
    dataDir: join(dir.path, 'data'),
    tracker: `127.0.0.1:${tracker.port}`,
  });
  try {
    await files.start();
    const src = join(dir.path, 'notes.txt');
    await writeFile(src, 'some notes');
    const signal = AbortSignal.abort();
    await t.throwsAsync(files.put(src, { signal }), { code: 'ABORTED' });
    await t.throwsAsync(files.get('notes.txt', undefined, { signal }), { code: 'ABORTED' });
    await t.throwsAsync(files.search('notes', { signal }), { code: 'ABORTED' });
    await t.throwsAsync(files.share(src, { signal }), { code: 'ABORTED' });
    t.true(files.folder.has('notes.txt'), 'the file is shared all the same; only the wait was given up');
    await t.throwsAsync(files.unshare('notes.txt', { signal }), { code: 'ABORTED' });
    const gone = async () => (await files.search('notes', { signal: new AbortController().signal })).length === 0;
    t.true(await waitFor(gone), 'the tracker learns of the unshare all the same');
  } finally {
    await files.stop();
    await sim.stop();
    await tracker.close();
    dir.remove();
  }
});
