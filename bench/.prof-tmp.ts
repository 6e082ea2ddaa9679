import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FileChunkSource } from '../src/transfer/chunk-reader.js';
import { DownloadSession } from '../src/transfer/download-session.js';
import { HashPool } from '../src/transfer/hash-pool.js';
import { buildManifest } from '../src/transfer/manifest.js';
const base = process.env.BASE ?? '/dev/shm';
const dir = await mkdtemp(join(base, 'prof-'));
const { randomFillSync } = await import('node:crypto');
const { writeFile } = await import('node:fs/promises');
const buf = Buffer.allocUnsafe(256 * 1024 * 1024); randomFillSync(buf);
await writeFile(join(dir, 'src.bin'), buf);
const pool = new HashPool(Number(process.env.POOL ?? 2));
const m = await buildManifest(join(dir, 'src.bin'), { hashPool: pool });
for (let r = 0; r < 5; r++) {
  const sources = [new FileChunkSource(join(dir, 'src.bin'), m, { id: 'a' })];
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  await new DownloadSession({ manifest: m, dir, outName: 'out.bin', sources, hashPool: pool, wholeFileCheck: (process.env.WFC as 'always') ?? 'always', pipeline: Number(process.env.PIPE ?? 4) }).run();
  const ms = performance.now() - t; const cpu = process.cpuUsage(cpu0);
  console.log(`engine ${(268.4 / (ms / 1000)).toFixed(0)} MB/s, main-thread+workers cpu user ${(cpu.user/1000).toFixed(0)}ms sys ${(cpu.system/1000).toFixed(0)}ms wall ${ms.toFixed(0)}`);
  await sources[0]!.close(); await rm(join(dir, 'out.bin'));
}
await pool.close(); await rm(dir, { recursive: true });
