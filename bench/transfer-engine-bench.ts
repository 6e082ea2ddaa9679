/**
 * Local-only throughput of the transfer engine: a DownloadSession fetching a 256 MiB file from
 * FileChunkSource(s) — every chunk verified in the hash pool, the whole file hashed on its own
 * thread, written to NAME.part, fsync'ed and renamed — against a plain Node baseline doing the
 * same bytes read → SHA-256 → write + fsync on one thread, in the same run.
 *
 * Run directly to print JSON: `node --import=tsx bench/transfer-engine-bench.ts [sizeMiB]`.
 */
import { createHash, randomFillSync } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FileChunkSource } from '../src/transfer/chunk-reader.js';
import { DownloadSession } from '../src/transfer/download-session.js';
import { HashPool } from '../src/transfer/hash-pool.js';
import { buildManifest, type Manifest } from '../src/transfer/manifest.js';
import type { WholeFileCheck } from '../src/transfer/part-file.js';

const MiB = 1024 * 1024;
const ROUNDS = 7;

export interface TransferEngineBenchOptions {
  /** File size in MiB (default 256). */
  readonly sizeMiB?: number;
}

export async function transferEngineBench(opts: TransferEngineBenchOptions = {}): Promise<Record<string, unknown>> {
  const size = (opts.sizeMiB ?? 256) * MiB;
  const dir = await mkdtemp(join(tmpdir(), 'p2pterm-bench-'));
  const pool = new HashPool();
  try {
    const src = join(dir, 'source.bin');
    const rss: Record<string, number> = { start: maxRssMiB() };
    await makeFile(src, size);
    rss.afterMakeFile = maxRssMiB();
    const t0 = performance.now();
    const manifest = await buildManifest(src, { hashPool: pool });
    const manifestMs = performance.now() - t0;
    rss.afterManifest = maxRssMiB();
    const runs: Record<Mode, number[]> = { baseline: [], engine1: [], engine2: [], engine1ChunksOnly: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const mode of MODES) {
        runs[mode].push(await timed(() => runMode(mode, src, dir, manifest, pool)));
        await rm(join(dir, 'out.bin'), { force: true });
        if (r === 0) rss[`after_${mode}`] = maxRssMiB();
      }
    }
    const mbps = (ms: number): number => Math.round(size / 1e6 / (ms / 1000));
    const med = (mode: Mode): number => median(runs[mode]);
    const best = (mode: Mode): number => Math.min(...runs[mode]);
    return {
      bench: 'transfer-engine',
      sizeMiB: size / MiB,
      chunkSize: manifest.chunkSize,
      hashWorkers: pool.size,
      rounds: ROUNDS,
      note: 'MB/s: median of rounds (best in brackets); ratio = engine speed / baseline speed, medians',
      manifestMBps: mbps(manifestMs),
      ...Object.fromEntries(MODES.map((m) => [`${m}MBps`, `${mbps(med(m))} [${mbps(best(m))}]`])),
      ratio1Source: round2(med('baseline') / med('engine1')),
      ratio2Sources: round2(med('baseline') / med('engine2')),
      ratio1SourceChunksOnly: round2(med('baseline') / med('engine1ChunksOnly')),
      hashMBpsBy1And2Workers: await hashScaling(),
      peakRssMiB: maxRssMiB(),
      peakRssByPhaseMiB: rss,
    };
  } finally {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes `size` random bytes in 4 MiB pieces (bounded memory). */
async function makeFile(path: string, size: number): Promise<void> {
  const fh = await open(path, 'w');
  const buf = Buffer.allocUnsafe(4 * MiB);
  try {
    for (let off = 0; off < size; off += buf.length) {
      const n = Math.min(buf.length, size - off);
      randomFillSync(buf, 0, n);
      await fh.write(buf, 0, n, off);
    }
  } finally {
    await fh.close();
  }
}

/** The plain way: read → SHA-256 → write, fsync at the end, all on this thread. */
async function baseline(src: string, out: string, m: Manifest): Promise<void> {
  const input = await open(src, 'r');
  const output = await open(out, 'w');
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(m.chunkSize);
  try {
    for (let off = 0; off < m.size; ) {
      const { bytesRead } = await input.read(buf, 0, buf.length, off);
      hash.update(buf.subarray(0, bytesRead));
      await output.write(buf, 0, bytesRead, off);
      off += bytesRead;
    }
    await output.sync();
  } finally {
    await input.close();
    await output.close();
  }
  if (hash.digest('hex') !== m.sha256) throw new Error('baseline hash mismatch');
}

type Mode = (typeof MODES)[number];
const MODES = ['baseline', 'engine1', 'engine2', 'engine1ChunksOnly'] as const;

function runMode(mode: Mode, src: string, dir: string, m: Manifest, pool: HashPool): Promise<void> {
  if (mode === 'baseline') return baseline(src, join(dir, 'out.bin'), m);
  if (mode === 'engine1ChunksOnly') return engine(src, dir, m, pool, 1, 'resumed');
  return engine(src, dir, m, pool, mode === 'engine1' ? 1 : 2, 'always');
}

async function engine(
  src: string,
  dir: string,
  manifest: Manifest,
  hashPool: HashPool,
  n: number,
  wholeFileCheck: WholeFileCheck,
): Promise<void> {
  const sources = Array.from({ length: n }, (_, i) => new FileChunkSource(src, manifest, { id: `file${i}` }));
  try {
    const r = await new DownloadSession({ manifest, dir, outName: 'out.bin', sources, hashPool, wholeFileCheck }).run();
    if (r.sha256 !== manifest.sha256) throw new Error('engine hash mismatch');
  } finally {
    await Promise.all(sources.map((s) => s.close()));
  }
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** SHA-256 throughput of 1 vs 2 workers on shared 256 KiB chunks: how much the 2nd core helps here. */
async function hashScaling(): Promise<[number, number]> {
  const chunk = new Uint8Array(new SharedArrayBuffer(256 * 1024)).fill(7);
  const rate = async (workers: number): Promise<number> => {
    const pool = new HashPool(workers);
    try {
      await pool.hashShared(chunk);
      const start = performance.now();
      await Promise.all(Array.from({ length: 1024 }, () => pool.hashShared(chunk)));
      return Math.round((1024 * chunk.byteLength) / 1e6 / ((performance.now() - start) / 1000));
    } finally {
      await pool.close();
    }
  };
  return [await rate(1), await rate(2)];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function maxRssMiB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sizeMiB = process.argv[2] ? Number(process.argv[2]) : undefined;
  console.log(JSON.stringify(await transferEngineBench({ sizeMiB }), null, 2));
}
