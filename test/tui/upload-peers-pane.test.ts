/**
 * The Transfers pane shows who the choker serves first and why: the choker's decisions travel
 * as `upload:peers` events (choker → publisher → bus → pane), throttled, and only when they changed.
 */
import test from 'ava';
import type { BusEvents } from '../../src/bus/events.js';
import { Choker } from '../../src/files/choker.js';
import { UploadPeersPublisher } from '../../src/files/upload-peers-publisher.js';
import { find, openConsole, simRing, tick, waitFor } from './helpers.js';

const MiB = 1024 * 1024;

test('transfers: each peer we upload to, choked or not and why, with bytes both ways', async (t) => {
  const ring = await simRing(2);
  const c = openConsole(ring.nodes[0]!, { cols: 120, rows: 30 });
  const bus = c.node.bus;
  const seen: BusEvents['upload:peers'][] = [];
  bus.on('upload:peers', (e) => seen.push(e));
  const EVERY_MS = 40;
  // Declared first: the choker reports changes to it.
  let publisher: UploadPeersPublisher | null = null;
  // A frozen clock: credit does not decay between the two looks.
  const choker = new Choker({
    slots: 1,
    concurrency: 1,
    starterUploads: 1,
    now: () => 0,
    onChange: () => publisher?.changed(),
  });
  publisher = new UploadPeersPublisher(bus, () => choker.states(), EVERY_MS);
  try {
    await c.keys('6');
    t.is(find(c.text(), 'uploading to'), -1, 'no peer asked yet: no section');

    // sharer sent us 3 MiB; newcomer has its optimistic start; the freeloader used its start.
    choker.received('10.0.0.1:5500', 3 * MiB);
    const busy = await choker.acquire('10.0.0.1:5500', 'movie.mkv');
    const freeloaderStart = choker.acquire('10.0.0.3:5500', 'movie.mkv');
    busy();
    (await freeloaderStart)();
    choker.sent('10.0.0.3:5500', 2 * MiB);
    choker.sent('10.0.0.1:5500', MiB);
    const hold = await choker.acquire('10.0.0.1:5500', 'movie.mkv');
    const waiting = [choker.acquire('10.0.0.3:5500', 'movie.mkv'), choker.acquire('10.0.0.3:5500', 'movie.mkv')];
    const newcomer = choker.acquire('10.0.0.2:5500', 'notes.txt');

    await waitFor(() => seen.length > 0, 3000, 'an upload:peers event');
    await tick(EVERY_MS * 3);
    t.is(seen.length, 1, 'a burst of changes gives one event');
    const s = c.text();
    t.true(find(s, 'uploading to 3 peers, 1 choked') >= 0, s.join('\n'));
    t.true(find(s, /10\.0\.0\.1:5500 unchoked: uploads to us ↑ 1\.0 MiB ↓ 3\.0 MiB · movie\.mkv/) >= 0, s.join('\n'));
    t.true(
      find(s, /10\.0\.0\.2:5500 optimistic: newcomer, 1 starter upload left ↑ 0 B ↓ 0 B · 1 waiting · notes\.txt/) >= 0,
      s.join('\n'),
    );
    t.true(
      find(s, /10\.0\.0\.3:5500 choked: never uploads to us ↑ 2\.0 MiB ↓ 0 B · 2 waiting · movie\.mkv/) >= 0,
      s.join('\n'),
    );
    // Service order: unchoked, then optimistic, then choked.
    const rows = ['10.0.0.1', '10.0.0.2', '10.0.0.3'].map((p) => find(s, p));
    t.deepEqual(
      [...rows].sort((a, b) => a - b),
      rows,
    );

    // Nothing changed: a change report leads to no event (and so no redraw).
    publisher.changed();
    await tick(EVERY_MS * 3);
    t.is(seen.length, 1);

    // The newcomer is served through the optimistic slot; then the freeloader's requests.
    hold();
    (await newcomer)();
    for (const w of waiting) (await w)();
    await waitFor(() => seen.length === 2, 3000, 'a second upload:peers event');
    const after = c.text();
    t.true(find(after, /10\.0\.0\.2:5500 choked: never uploads to us/) >= 0, after.join('\n'));
    t.true(find(after, /10\.0\.0\.3:5500 choked: never uploads to us ↑ 2\.0 MiB ↓ 0 B · movie\.mkv/) >= 0);

    // Many peers: half the pane at most, and how many more there are.
    const many = Array.from({ length: 40 }, (_, i) => ({ ...seen[1]!.peers[0]!, peer: `10.0.1.${i}:5500` }));
    bus.emit('upload:peers', { peers: many });
    const crowded = c.text();
    t.true(find(crowded, 'uploading to 40 peers') >= 0);
    const shown = crowded.filter((l) => l.includes('10.0.1.')).length;
    t.true(shown > 3 && shown < 20, `${shown} peers shown`);
    t.true(find(crowded, `… ${40 - shown} more`) >= 0, crowded.join('\n'));
  } finally {
    publisher.close();
    c.close();
    await ring.stop();
  }
});
