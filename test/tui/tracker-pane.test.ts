import test from 'ava';
import { openConsole, simRing, find } from './helpers.js';

test('tracker: "no tracker" until tracker events arrive, then state, peers and shared files', async (t) => {
  const ring = await simRing(2);
  const c = openConsole(ring.nodes[0]!, { cols: 80, rows: 24 });
  const bus = c.node.bus;
  try {
    await c.keys('7');
    let s = c.text();
    t.true(find(s, '7 Tracker · off') >= 0);
    t.true(find(s, '○ no tracker') >= 0);
    t.true(find(s, /tracker off/) >= 0, 'status bar');
    bus.emit('tracker:state', { state: 'connected', address: '10.0.0.5:7000' });
    bus.emit('tracker:peers', { online: 4, offline: 2 });
    bus.emit('files:changed', {
      files: [
        { name: 'b.txt', size: 1, states: ['local', 'shared'] },
        { name: 'a.txt', size: 1, states: ['shared'] },
        { name: 'c.txt', size: 1, states: ['local'] },
      ],
    });
    s = c.text();
    t.true(find(s, '● connected 10.0.0.5:7000') >= 0);
    t.true(find(s, '● 4 online  ○ 2 offline') >= 0);
    t.true(find(s, 'shared 2 files') >= 0);
    const a = find(s, '  a.txt');
    t.true(a >= 0 && s[a + 1]!.includes('b.txt'), 'shared files listed, sorted');
    t.is(find(s, 'c.txt'), -1, 'local-only files are not listed');
    t.true(find(s, 'tracker connected') >= 0, 'status bar follows');
    bus.emit('tracker:state', { state: 'disconnected', address: '10.0.0.5:7000', error: 'connection reset' });
    s = c.text();
    t.true(find(s, '○ disconnected') >= 0);
    t.true(find(s, 'connection reset') >= 0);
  } finally {
    c.close();
    await ring.stop();
  }
});
