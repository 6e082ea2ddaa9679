import { readFile } from 'node:fs/promises';
import test from 'ava';
import { HashPool } from '../../src/transfer/hash-pool.js';
import { buildManifest } from '../../src/transfer/manifest.js';
import { TransferManager } from '../../src/transfer/transfer-manager.js';
import { MemorySource, randomFile, tempDir } from './helpers.js';

const KiB = 1024;

async function files(t: Parameters<typeof tempDir>[0], n: number) {
  const src = await tempDir(t);
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const { path, data } = await randomFile(src, `f${i}.bin`, 20 * 16 * KiB);
      return { data, manifest: await buildManifest(path, { chunkSize: 16 * KiB }) };
    }),
  );
}

test('caps concurrent transfers and queues the rest', async (t) => {
  const out = await tempDir(t);
  const pool = new HashPool(1);
  const mgr = new TransferManager({ maxConcurrent: 2, hashPool: pool });
  t.teardown(() => pool.close());
  let maxActive = 0;
  const queued: string[] = [];
  mgr.on('queued', (e) => queued.push(e.id));
  mgr.on('progress', () => (maxActive = Math.max(maxActive, mgr.active)));
  const fs = await files(t, 4);
  const results = await Promise.all(
    fs.map((f, i) =>
      mgr.download({
        id: `d${i}`,
        manifest: f.manifest,
        dir: out,
        sources: [new MemorySource('m', f.data, f.manifest, { delayMs: 2 })],
      }),
    ),
  );
  t.deepEqual(queued, ['d2', 'd3']);
  t.true(maxActive <= 2);
  for (const [i, r] of results.entries()) t.true((await readFile(r.path)).equals(fs[i]!.data));
  t.is(mgr.active, 0);
  t.is(mgr.queued, 0);
});

test('a transfer aborted while queued never starts', async (t) => {
  const out = await tempDir(t);
  const mgr = new TransferManager({ maxConcurrent: 1 });
  t.teardown(() => mgr.close());
  const [a, b] = await files(t, 2);
  const started: string[] = [];
  mgr.on('started', (e) => started.push(e.id));
  const first = mgr.download({
    id: 'a',
    manifest: a!.manifest,
    dir: out,
    sources: [new MemorySource('m', a!.data, a!.manifest, { delayMs: 5 })],
  });
  const ac = new AbortController();
  const src = new MemorySource('m', b!.data, b!.manifest);
  const second = mgr.download({ id: 'b', manifest: b!.manifest, dir: out, sources: [src] }, ac.signal);
  t.is(mgr.queued, 1);
  ac.abort();
  await t.throwsAsync(second, { message: /abort/ });
  await first;
  t.deepEqual(started, ['a']);
  t.is(src.fetches, 0);
});

test('holds global download and upload limiters', (t) => {
  const mgr = new TransferManager({ downloadRateBps: 1000, uploadRateBps: 2000, hashPool: new HashPool(1) });
  t.teardown(() => mgr.hashPool.close());
  t.is(mgr.globalLimiter.rateBps, 1000);
  t.is(mgr.uploadLimiter.rateBps, 2000);
});
