import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChordNode } from '../../src/dht/chord-node.js';
import { createTcpNode } from '../../src/dht/create-tcp-node.js';
import { DiskBlobStore } from '../../src/store/disk-blob-store.js';
import { RingStore } from '../../src/store/ring-store.js';
import { waitFor } from '../helpers/wait.js';
import { StoreRing, bytesOf, textOf } from './helpers.js';

const keys = Array.from({ length: 30 }, (_, i) => `chunk:${i}`);

test('a node restarted on the same data directory serves what it held', async (t) => {
  const sr = new StoreRing({ seed: 51 });
  await sr.addSequential(5);
  const dir = await mkdtemp(join(tmpdir(), 'p2pterm-ring-'));
  const address = 'disk.sim:4000';
  const start = async () => {
    const node = new ChordNode({ transport: (me) => sr.ring.network.transport(address, me), clock: sr.ring.clock });
    await node.start();
    sr.ring.nodes.push(node);
    const store = new RingStore(node, { store: await DiskBlobStore.open(dir) });
    store.start();
    sr.stores.set(node, store);
    await sr.ring.settle(node.join(sr.ring.live[0]!.self.address));
    return store;
  };
  const first = await start();
  await sr.ready();
  for (const k of keys) await sr.ring.settle(sr.live[0]!.put(k, bytesOf(`v-${k}`), 'chunk'));
  const held = keys.filter((k) => first.holds(k) !== null);
  t.true(held.length > 0, 'the disk node holds some keys');
  await sr.crash(first.node); // no close: like SIGKILL
  t.true((await sr.ring.converge(60_000)) >= 0, 'the ring notices the crash before the restart rejoins');

  const second = await start();
  t.deepEqual(
    held.filter((k) => second.holds(k) === null),
    [],
    'everything it held is still indexed',
  );
  const reader = sr.live.find((s) => s !== second)!;
  for (const k of held) t.is(textOf(await sr.ring.settle(reader.fetchFrom(second.node.self.address, k))), `v-${k}`);
  await sr.heal();
  t.deepEqual(sr.misplaced(keys), []);
  await sr.stop();
  await second.blobs.close();
  await first.blobs.close().catch(() => undefined); // the "crashed" store lost its directory to `second`: best effort
  await rm(dir, { recursive: true, force: true });
});

test('real TCP: put, get, holders and a join handoff go through the wire codec', async (t) => {
  const nodes: ChordNode[] = [];
  const stores: RingStore[] = [];
  const addNode = async () => {
    const node = await createTcpNode({ port: 0, stabilizeMs: 50 });
    const store = new RingStore(node, { maintainEveryMs: 200 });
    store.start();
    if (nodes.length > 0) await node.join(nodes[0]!.self.address);
    nodes.push(node);
    stores.push(store);
  };
  try {
    for (let i = 0; i < 4; i++) await addNode();
    const value = Buffer.alloc(1024 * 1024, 'tcp ');
    t.true(
      await waitFor(
        async () =>
          await stores[1]!.put('big', value, 'chunk').then(
            () => true,
            () => false,
          ),
        10_000,
      ),
    );
    for (const s of stores) t.true(Buffer.from(await s.get('big')).equals(value));
    for (const k of keys) await stores[2]!.put(k, bytesOf(`v-${k}`));
    await addNode();
    const holders = await stores[0]!.holders('big');
    t.is(holders.length, 3);
    for (const h of holders) t.true(Buffer.from(await stores[3]!.fetchFrom(h.address, 'big')).equals(value));
    await t.throwsAsync(stores[0]!.get('missing'), { code: 'NOT_FOUND' } as never);
    t.true(
      await waitFor(() => keys.every((k) => stores.filter((s) => s.holds(k)).length === 3), 10_000),
      'r copies after the join',
    );
    for (const k of keys) t.is(textOf(await stores[4]!.get(k)), `v-${k}`);
  } finally {
    for (const s of stores) await s.stop();
    await Promise.all(nodes.map((n) => n.stop()));
  }
});
