/** A put shows in Transfers as an upload: started, a gauge that climbs chunk by chunk, finished. */
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BusEvents } from '../../src/bus/events.js';
import { FileService } from '../../src/files/file-service.js';
import { SimRing } from '../../src/sim/sim-ring.js';
import { find, openConsole } from './helpers.js';

type Seen =
  | ['started', BusEvents['transfer:started']]
  | ['progress', BusEvents['transfer:progress']]
  | ['finished', BusEvents['transfer:finished']];

test('put reports its chunks as an upload on the transfer:* events and in the Transfers pane', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'p2pterm-put-progress-'));
  const sim = new SimRing({ seed: 9, bits: 16 });
  const node = await sim.add();
  const files = new FileService(node, { dir: join(root, 'shared'), dataDir: join(root, 'data'), chunkSize: 16 * 1024 });
  const c = openConsole(node, { cols: 100, rows: 30 });
  const seen: Seen[] = [];
  const offs = [
    node.bus.on('transfer:started', (e) => seen.push(['started', e])),
    node.bus.on('transfer:progress', (e) => seen.push(['progress', e])),
    node.bus.on('transfer:finished', (e) => seen.push(['finished', e])),
  ];
  try {
    await files.start();
    const size = 5 * 16 * 1024 + 300;
    writeFileSync(join(root, 'shared', 'notes.txt'), Buffer.alloc(size, 7));
    await c.keys('6');
    await files.put('notes.txt');

    const [first, ...rest] = seen;
    t.is(first?.[0], 'started');
    const started = first![1] as BusEvents['transfer:started'];
    t.like(started, { name: 'notes.txt', size, direction: 'up' });
    const progress = rest.filter((e) => e[0] === 'progress').map((e) => e[1] as BusEvents['transfer:progress']);
    t.is(progress.length, 6, 'one step per chunk');
    t.true(
      progress.every(
        (p, i) => p.id === started.id && p.total === size && (i === 0 || p.bytes > progress[i - 1]!.bytes),
      ),
      'bytes climb towards the size',
    );
    t.is(progress.at(-1)!.bytes, size);
    const last = seen.at(-1)!;
    t.is(last[0], 'finished');
    t.like(last[1] as BusEvents['transfer:finished'], { id: started.id, name: 'notes.txt', direction: 'up', ok: true });
    t.true(find(c.text(), /✓ notes\.txt 80 KiB/) >= 0, c.text().join('\n'));
  } finally {
    for (const off of offs) off();
    c.close();
    await files.stop();
    await sim.stop();
    rmSync(root, { recursive: true, force: true });
  }
});

test('a put that fails ends its upload as failed', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'p2pterm-put-fail-'));
  const sim = new SimRing({ seed: 9, bits: 16 });
  const node = await sim.add();
  const files = new FileService(node, { dir: join(root, 'shared'), dataDir: join(root, 'data'), chunkSize: 16 * 1024 });
  const finished: BusEvents['transfer:finished'][] = [];
  const off = node.bus.on('transfer:finished', (e) => finished.push(e));
  try {
    await files.start();
    writeFileSync(join(root, 'shared', 'notes.txt'), Buffer.alloc(40_000, 1));
    const ring = files.ring;
    // The ring refuses to store: the put must not leave its upload looking active.
    ring.put = async () => {
      throw Object.assign(new Error('store refused'), { code: 'STORE_FAILED' });
    };
    await t.throwsAsync(files.put('notes.txt'), { message: 'store refused' });
    t.is(finished.length, 1);
    t.like(finished[0], { name: 'notes.txt', direction: 'up', ok: false, error: 'store refused' });
  } finally {
    off();
    await files.stop();
    await sim.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
