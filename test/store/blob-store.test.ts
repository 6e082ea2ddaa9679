import test from 'ava';
import { spawn } from 'node:child_process';
import * as readline from 'node:readline';
import { mkdir, mkdtemp, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestOf, ringPages, scanRing, type BlobStore } from '../../src/store/blob-store.js';
import { DiskBlobStore } from '../../src/store/disk-blob-store.js';
import { MemoryBlobStore } from '../../src/store/memory-blob-store.js';
import { bytesOf, textOf } from './helpers.js';
import { WRITER, writerValue } from './fixtures/writer-value.js';

const tempDir = () => mkdtemp(join(tmpdir(), 'p2pterm-blobs-'));
const entry = (key: string, id: bigint, text = `v-${key}`, role: 'primary' | 'replica' = 'primary') => ({
  key,
  id,
  kind: 'value' as const,
  role,
  bytes: bytesOf(text),
});

const impls: [string, () => Promise<{ store: BlobStore; done: () => Promise<void> }>][] = [
  ['memory', async () => ({ store: new MemoryBlobStore(), done: async () => undefined })],
  [
    'disk',
    async () => {
      const dir = await tempDir();
      const store = await DiskBlobStore.open(dir);
      return { store, done: async () => (await store.close(), await rm(dir, { recursive: true, force: true })) };
    },
  ],
];

for (const [name, make] of impls) {
  test(`${name}: put, get, meta, overwrite, delete only with the right digest, counts`, async (t) => {
    const { store, done } = await make();
    const buf = bytesOf('hello');
    const m = await store.put({ key: 'a', id: 5n, kind: 'chunk', role: 'primary', bytes: buf });
    buf[0] = 0; // the store keeps its own copy
    t.is(textOf((await store.get('a'))!), 'hello');
    t.deepEqual(store.meta('a'), {
      key: 'a',
      id: 5n,
      kind: 'chunk',
      role: 'primary',
      size: 5,
      digest: digestOf(bytesOf('hello')),
    });
    await store.put(entry('b', 9n, 'x', 'replica'));
    t.deepEqual(store.counts(), { primary: 1, replica: 1 });
    t.true(store.setRole('b', 'primary'));
    t.false(store.setRole('zz', 'primary'));
    t.deepEqual(store.counts(), { primary: 2, replica: 0 });
    await store.put(entry('a', 5n, 'changed'));
    t.is(textOf((await store.get('a'))!), 'changed');
    t.false(await store.delete('a', m.digest), 'a stale digest deletes nothing');
    t.true(await store.delete('a'));
    t.is(await store.get('a'), null);
    t.is(store.meta('a'), null);
    t.false(await store.delete('a'));
    await done();
  });

  test(`${name}: scans go in (id, key) order with cursors, and ring intervals wrap`, async (t) => {
    const { store, done } = await make();
    for (const [k, id] of [
      ['e', 50n],
      ['a', 10n],
      ['c', 30n],
      ['b', 30n],
      ['d', 40n],
      ['f', 60n],
    ] as const)
      await store.put(entry(k, id));
    const keys = (list: { key: string }[]) => list.map((m) => m.key).join('');
    t.is(keys(store.scan({ after: null, upTo: null }, null, 100)), 'abcdef');
    t.is(keys(store.scan({ after: 10n, upTo: 40n }, null, 100)), 'bcd');
    t.is(keys(store.scan({ after: null, upTo: null }, { id: 30n, key: 'b' }, 2)), 'cd');
    t.is(keys(scanRing(store, 40n, 30n, null, 100)), 'efabc', '(40, 30] wraps past zero');
    t.is(keys(scanRing(store, 40n, 30n, { id: 60n, key: 'f' }, 2)), 'ab', 'a cursor in the wrapped part');
    t.is(keys(scanRing(store, 30n, 30n, null, 100)), 'defabc', '(a, a] is the whole ring');
    t.deepEqual([...ringPages(store, 5n, 5n, 4)].map(keys), ['abcd', 'ef']);
    await done();
  });
}

test('disk: a store dropped without close (a crash) is reopened with everything intact', async (t) => {
  const dir = await tempDir();
  const first = await DiskBlobStore.open(dir);
  const big = Buffer.alloc(3 * 1024 * 1024, 'chunk bytes ');
  await first.put({ key: 'chunk:big', id: 77n, kind: 'chunk', role: 'replica', bytes: big });
  for (let i = 0; i < 50; i++) await first.put(entry(`k${i}`, BigInt(i)));
  await first.delete('k7');
  // No close(): the next open sees exactly what the crashed process had acknowledged.
  const again = await DiskBlobStore.open(dir);
  t.true(Buffer.from((await again.get('chunk:big'))!).equals(big));
  t.is(again.meta('chunk:big')?.role, 'replica');
  t.deepEqual(again.counts(), { primary: 49, replica: 1 });
  t.is(await again.get('k7'), null);
  t.is(textOf((await again.get('k49'))!), 'v-k49');
  await again.close();
  await rm(dir, { recursive: true, force: true });
});

test('disk: a torn temp file is ignored and swept; no half-written value is ever served', async (t) => {
  const dir = await tempDir();
  const s = await DiskBlobStore.open(dir);
  await s.put(entry('kept', 1n, 'complete value'));
  await s.close();
  // A crash mid-write leaves a partial temp file; the index never mentions it.
  await writeFile(join(dir, 'tmp', 'half.tmp'), 'compl');
  const again = await DiskBlobStore.open(dir);
  t.deepEqual(await readdir(join(dir, 'tmp')), [], 'temp leftovers are removed on open');
  t.is(textOf((await again.get('kept'))!), 'complete value');
  t.deepEqual(again.counts(), { primary: 1, replica: 0 });
  await again.close();
  await rm(dir, { recursive: true, force: true });
});

test('disk: a damaged or missing blob is dropped, not served, and orphans are swept', async (t) => {
  const dir = await tempDir();
  const s = await DiskBlobStore.open(dir);
  const a = await s.put(entry('a', 1n, 'aaaaaaaa'));
  const b = await s.put(entry('b', 2n, 'bbbbbbbb'));
  const blob = (d: string) => join(dir, 'blobs', d.slice(0, 2), d);
  await writeFile(blob(a.digest), 'aaaaXaaa'); // same size, wrong bytes (bit rot, a lying disk)
  t.is(await s.get('a'), null, 'content that fails its digest is not served');
  t.is(s.meta('a'), null, 'and the entry is dropped so maintenance fetches a good copy');
  await s.close();
  await truncate(blob(b.digest), 3);
  await mkdir(join(dir, 'blobs', 'ff'), { recursive: true });
  await writeFile(join(dir, 'blobs', 'ff', 'ff'.repeat(32)), 'orphan'); // a crash between rename and commit
  const again = await DiskBlobStore.open(dir);
  t.is(again.meta('b'), null, 'a truncated blob drops its entry at open');
  t.deepEqual(await readdir(join(dir, 'blobs', 'ff')), [], 'blobs no entry points to are removed');
  await again.close();
  await rm(dir, { recursive: true, force: true });
});

test('disk: entries sharing content share one blob, removed with the last of them', async (t) => {
  const dir = await tempDir();
  const s = await DiskBlobStore.open(dir);
  const m = await s.put(entry('x', 1n, 'same'));
  await s.put(entry('y', 2n, 'same'));
  await s.delete('x');
  t.is(textOf((await s.get('y'))!), 'same');
  await s.delete('y');
  t.deepEqual(await readdir(join(dir, 'blobs', m.digest.slice(0, 2))), []);
  await s.close();
  await rm(dir, { recursive: true, force: true });
});

test('disk: SIGKILL during a stream of writes loses nothing acknowledged and serves nothing torn', async (t) => {
  const dir = await tempDir();
  const child = spawn(process.execPath, ['--import=tsx', WRITER, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const acked: string[] = [];
  await new Promise<void>((resolve) => {
    readline.createInterface({ input: child.stdout! }).on('line', (key) => {
      acked.push(key);
      if (acked.length === 40) child.kill('SIGKILL'), resolve();
    });
  });
  await new Promise((r) => child.once('exit', r));
  const s = await DiskBlobStore.open(dir);
  for (const key of acked) t.true(Buffer.from((await s.get(key))!).equals(writerValue(key)), `${key} intact`);
  for (const m of s.scan({ after: null, upTo: null }, null, 10_000)) {
    t.true(Buffer.from((await s.get(m.key))!).equals(writerValue(m.key)), `${m.key} (maybe unacknowledged) is whole`);
  }
  await s.close();
  await rm(dir, { recursive: true, force: true });
});

test("disk: the index syncs at SQLite's NORMAL level unless FULL is asked for", async (t) => {
  const level = (s: DiskBlobStore) =>
    (s as unknown as { db: { pragma(q: string, o: { simple: true }): number } }).db.pragma('synchronous', {
      simple: true,
    });
  const dir = await tempDir();
  const normal = await DiskBlobStore.open(dir);
  t.is(level(normal), 1, 'NORMAL: the SIGKILL test above shows what it keeps');
  await normal.close();
  const full = await DiskBlobStore.open(dir, { synchronous: 'FULL' });
  t.is(level(full), 2);
  await full.close();
  await rm(dir, { recursive: true, force: true });
});

test('disk: a directory in use by another live process is refused with LOCKED', async (t) => {
  const dir = await tempDir();
  const child = spawn(process.execPath, ['--import=tsx', WRITER, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) =>
    readline.createInterface({ input: child.stdout! }).once('line', () => resolve()),
  );
  await t.throwsAsync(DiskBlobStore.open(dir), { code: 'LOCKED' } as never);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const s = await DiskBlobStore.open(dir); // the dead holder's lock is taken over
  t.truthy(s.meta('k0'));
  await s.close();
  await rm(dir, { recursive: true, force: true });
});
