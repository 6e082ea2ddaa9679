import test from 'ava';
import { openConsole, simRing, find } from './helpers.js';

test('transfers: gauge with rate, ETA and sources; history; q asks while one runs', async (t) => {
  const ring = await simRing(2);
  const c = openConsole(ring.nodes[0]!, { cols: 80, rows: 24 });
  const bus = c.node.bus;
  try {
    await c.keys('6');
    t.true(find(c.text(), 'no active transfers') >= 0);
    bus.emit('transfer:started', {
      id: 't1',
      name: 'ubuntu.iso',
      size: 1024 ** 3,
      direction: 'down',
      sources: ['a:1', 'b:2', 'c:3'],
    });
    bus.emit('transfer:progress', {
      id: 't1',
      bytes: 256 * 1024 ** 2,
      total: 1024 ** 3,
      rateBps: 32 * 1024 ** 2,
      etaSec: 24,
      sources: [
        { id: 'a:1', bytes: 1, rateBps: 1, state: 'active' },
        { id: 'b:2', bytes: 1, rateBps: 1, state: 'active' },
      ],
    });
    let s = c.text();
    t.true(find(s, '6 Transfers · 1 active') >= 0);
    t.true(find(s, /↓ ubuntu\.iso\s+32 MiB\/s ETA 00:24 2 src/) >= 0);
    const gauge = s.find((l) => l.includes('25%'))!;
    t.truthy(gauge);
    t.regex(gauge, /█+[▏▎▍▌▋▊▉]?░+\s+25% 256 MiB\/1\.0 GiB/);
    t.regex(s.find((l) => l.includes('rate'))!, /[▁▂▃▄▅▆▇█].*32 MiB\/s/);

    // q asks first while a transfer runs; n stays.
    await c.keys('q');
    s = c.text();
    t.true(find(s, 'Quit?') >= 0);
    t.true(find(s, '1 transfer is still running.') >= 0);
    await c.keys('n');
    t.is(find(c.text(), 'Quit?'), -1);

    bus.emit('transfer:finished', {
      id: 't1',
      name: 'ubuntu.iso',
      size: 1024 ** 3,
      direction: 'down',
      ok: true,
      ms: 20_000,
    });
    bus.emit('transfer:started', { id: 't2', name: 'bad.bin', size: 10, direction: 'up', sources: [] });
    bus.emit('transfer:finished', {
      id: 't2',
      name: 'bad.bin',
      size: 10,
      direction: 'up',
      ok: false,
      error: 'peer vanished',
      ms: 5,
    });
    s = c.text();
    t.true(find(s, '↓ ✓ ubuntu.iso 1.0 GiB in 20.0s (51 MiB/s)') >= 0);
    t.true(find(s, '↑ ✗ bad.bin: peer vanished') >= 0);
    t.true(find(s, 'no active transfers') >= 0);
    await c.keys('q');
    t.is(await c.app.closed, 'quit', 'no transfers left: q quits at once');
  } finally {
    c.close();
    await ring.stop();
  }
});

test('transfers: y confirms quitting with transfers running', async (t) => {
  const ring = await simRing(2);
  const c = openConsole(ring.nodes[0]!);
  try {
    c.node.bus.emit('transfer:started', { id: 'x', name: 'f', size: 100, direction: 'down', sources: ['a:1'] });
    await c.keys('q', 'y');
    t.is(await c.app.closed, 'quit');
  } finally {
    c.close();
    await ring.stop();
  }
});
