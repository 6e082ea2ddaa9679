import test from 'ava';
import { hashId } from '../../src/core/ring-math.js';
import { digestOf } from '../../src/store/blob-store.js';
import { chunkKey, ringChunkSources } from '../../src/store/ring-chunk-sources.js';
import { MAX_VALUE_BYTES } from '../../src/store/store-constants.js';
import { StoreRing, bytesOf, textOf } from './helpers.js';

const keys = Array.from({ length: 40 }, (_, i) => `file-${i}.txt`);

test('a put from any node is readable from every node, on exactly r holders', async (t) => {
  const sr = new StoreRing({ seed: 21 });
  await sr.addSequential(16);
  await sr.ready();
  for (const [i, key] of keys.entries()) {
    const writer = sr.live[i % 16]!;
    const res = await sr.ring.settle(writer.put(key, bytesOf(`value of ${key}`)));
    t.is(res.holders.length, 3, `${key} acknowledged by 3 nodes`);
    t.is(res.id, hashId(key, 160).toString(16));
  }
  for (const reader of sr.live) {
    for (const key of keys) t.is(textOf(await sr.ring.settle(reader.get(key))), `value of ${key}`);
  }
  for (const key of keys) {
    const holders = await sr.ring.settle(sr.live[0]!.holders(key));
    const owner = await sr.ring.settle(sr.ring.live[3]!.lookup(key));
    t.is(holders[0]!.address, owner.owner.address, 'the owner comes first');
    t.deepEqual(
      sr
        .copies(key)
        .map((n) => n.self.address)
        .sort(),
      holders.map((h) => h.address).sort(),
      `${key} is on exactly its holders`,
    );
  }
  await sr.stop();
});

test('get of a missing key fails with NOT_FOUND; oversized values and empty keys are refused', async (t) => {
  const sr = new StoreRing({ seed: 22 });
  await sr.addSequential(5);
  await sr.ready();
  const s = sr.live[0]!;
  await t.throwsAsync(sr.ring.settle(s.get('nope')), { code: 'NOT_FOUND' } as never);
  await t.throwsAsync(sr.ring.settle(s.put('big', new Uint8Array(MAX_VALUE_BYTES + 1))), {
    code: 'TOO_LARGE',
  } as never);
  await t.throwsAsync(sr.ring.settle(s.put('', bytesOf('x'))), { code: 'BAD_KEY' } as never);
  await sr.stop();
});

test('a 4 MiB value round-trips and each holder serves it on its own', async (t) => {
  const sr = new StoreRing({ seed: 23 });
  await sr.addSequential(6);
  await sr.ready();
  const value = Buffer.alloc(MAX_VALUE_BYTES, 'p2pterm ring store ');
  await sr.ring.settle(sr.live[1]!.put('chunk:big', value, 'chunk'));
  const reader = sr.live[4]!;
  const holders = await sr.ring.settle(reader.holders('chunk:big'));
  t.is(holders.length, 3);
  for (const h of holders) {
    const got = await sr.ring.settle(reader.fetchFrom(h.address, 'chunk:big'));
    t.true(Buffer.from(got).equals(value), `${h.address} serves the exact bytes`); // (t.deepEqual is slow on MiBs)
  }
  const outsider = sr.ring.live.find((n) => !holders.some((h) => h.address === n.self.address))!;
  await t.throwsAsync(sr.ring.settle(reader.fetchFrom(outsider.self.address, 'chunk:big')), {
    code: 'NOT_FOUND',
  } as never);
  await sr.stop();
});

test('a ring smaller than r keeps a copy on every node; counts are published on the bus', async (t) => {
  const sr = new StoreRing({ seed: 24 });
  await sr.addSequential(2);
  await sr.ready();
  const seen: { primary: number; replica: number }[] = [];
  sr.ring.live[0]!.bus.on('store:keys-changed', (c) => seen.push(c));
  const res = await sr.ring.settle(sr.live[0]!.put('k', bytesOf('v')));
  t.is(res.holders.length, 2);
  t.is(sr.copies('k').length, 2);
  t.is(seen.length, 1);
  t.is(seen[0]!.primary + seen[0]!.replica, 1);
  await sr.stop();
});

test('a put overwrites: every holder then has the new content', async (t) => {
  const sr = new StoreRing({ seed: 25 });
  await sr.addSequential(8);
  await sr.ready();
  await sr.ring.settle(sr.live[0]!.put('doc', bytesOf('one')));
  await sr.ring.settle(sr.live[5]!.put('doc', bytesOf('two')));
  const holders = await sr.ring.settle(sr.live[2]!.holders('doc'));
  for (const h of holders) t.is(textOf(await sr.ring.settle(sr.live[2]!.fetchFrom(h.address, 'doc'))), 'two');
  await sr.stop();
});

test('ring chunk sources: source k reads each chunk from its k-th holder, or from any holder once that one is dead', async (t) => {
  const sr = new StoreRing({ seed: 26 });
  await sr.addSequential(8);
  await sr.ready();
  const chunks = Array.from({ length: 12 }, (_, i) => Buffer.alloc(1000 + i, `chunk ${i} `));
  const hashes = chunks.map((c) => digestOf(c));
  for (const [i, c] of chunks.entries()) await sr.ring.settle(sr.live[i % 8]!.put(chunkKey(hashes[i]!), c, 'chunk'));
  const reader = sr.live[3]!;
  const sources = ringChunkSources(reader, hashes);
  t.deepEqual(
    sources.map((s) => s.id),
    ['ring:holder-0', 'ring:holder-1', 'ring:holder-2'],
  );
  const signal = new AbortController().signal;
  for (const s of sources) {
    for (let i = 0; i < chunks.length; i++)
      t.true(Buffer.from(await sr.ring.settle(s.fetch(i, signal))).equals(chunks[i]!));
  }
  // Kill the first holder of chunk 0 before the ring notices: rank 0 reads the chunk from
  // another holder instead of failing, and the other ranks still serve it from their own.
  const [first] = sr.expectedHolders(chunkKey(hashes[0]!));
  await sr.crash(first!);
  t.true(Buffer.from(await sr.ring.settle(sources[0]!.fetch(0, signal))).equals(chunks[0]!));
  t.true(Buffer.from(await sr.ring.settle(sources[1]!.fetch(0, signal))).equals(chunks[0]!));
  await sr.stop();
});
