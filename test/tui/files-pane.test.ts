import test from 'ava';
import { openConsole, simRing, find, waitFor } from './helpers.js';

test('files: shows files:changed entries; keys dispatch put/share/unshare through the command map', async (t) => {
  const ring = await simRing(2);
  const calls: string[][] = [];
  const record = (name: string) => async (args: string[]) => (calls.push([name, ...args]), {});
  const c = openConsole(ring.nodes[0]!, {
    cols: 80,
    rows: 24,
    commands: { put: record('put'), share: record('share') },
  });
  try {
    await c.keys('5');
    let s = c.text();
    t.true(find(s, 'no files yet') >= 0);
    c.node.bus.emit('files:changed', {
      files: [
        { name: 'movie.mkv', size: 3 * 1024 ** 3, states: ['local', 'shared'] },
        { name: 'notes.txt', size: 1200, states: ['local'] },
        { name: 'album.zip', size: 50 * 1024 ** 2, states: ['downloading'] },
      ],
    });
    s = c.text();
    t.true(find(s, '5 Files · 3') >= 0);
    const row = (name: string) => s.find((l) => l.includes(name)) ?? '';
    t.regex(row('movie.mkv'), /3\.0 GiB\s+shared/);
    t.regex(row('notes.txt'), /1\.2 KiB\s+local/);
    t.regex(row('album.zip'), /50 MiB\s+↓dl/);
    // Sorted by name: album.zip first and selected.
    await c.keys('j');
    await c.keys('p');
    await waitFor(() => calls.length === 1);
    t.deepEqual(calls[0], ['put', 'movie.mkv']);
    await c.keys('s');
    await waitFor(() => calls.length === 2);
    t.deepEqual(calls[1], ['share', 'movie.mkv']);
    // unshare is not in this build's command map: the user is told, nothing is called.
    await c.keys('u');
    t.regex(c.text()[23]!, /unshare: not available/);
    t.is(calls.length, 2);
  } finally {
    c.close();
    await ring.stop();
  }
});
