import { createHash, randomFillSync } from 'node:crypto';
import { open, rm, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { HashPool } from '../src/transfer/hash-pool.js';
import { buildManifest } from '../src/transfer/manifest.js';
const r = (l: string) => console.log(l.padEnd(12), `rss ${(process.memoryUsage().rss / 1048576) | 0} max ${(process.resourceUsage().maxRSS / 1024) | 0}`);
const dir = await mkdtemp(join(tmpdir(), 'rss4-'));
const src = join(dir, 's'), out = join(dir, 'o');
r('start');
const pool = new HashPool(); await pool.hash(new Uint8Array(1)); r('pool');
const fh = await open(src, 'w'); const b = Buffer.allocUnsafe(4 << 20);
for (let i = 0; i < 64; i++) { randomFillSync(b); await fh.write(b, 0, b.length, i * b.length); } await fh.close(); r('made');
const m = await buildManifest(src, { hashPool: process.env.NOPOOL ? undefined : pool }); r('manifest');
for (let k = 0; k < 3; k++) {
  const input = await open(src, 'r'), output = await open(out, 'w'); const hash = createHash('sha256'); const buf = Buffer.allocUnsafe(256 * 1024);
  for (let off = 0; off < 256 << 20; ) { const { bytesRead } = await input.read(buf, 0, buf.length, off); hash.update(buf.subarray(0, bytesRead)); await output.write(buf, 0, bytesRead, off); off += bytesRead; }
  await output.sync(); await input.close(); await output.close(); r('baseline');
}
await pool.close(); await rm(dir, { recursive: true });
