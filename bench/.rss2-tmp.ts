import { createHash, randomFillSync } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
const r = () => `${(process.memoryUsage().rss / 1048576) | 0} max ${(process.resourceUsage().maxRSS / 1024) | 0} ext ${(process.memoryUsage().external / 1048576) | 0} ab ${(process.memoryUsage().arrayBuffers / 1048576) | 0}`;
const src = '/tmp/rss2-src.bin', out = '/tmp/rss2-out.bin';
const fh = await open(src, 'w'); const b = Buffer.allocUnsafe(4 << 20);
for (let i = 0; i < 64; i++) { randomFillSync(b); await fh.write(b, 0, b.length, i * b.length); } await fh.close();
console.log('made', r());
for (let k = 0; k < 2; k++) {
  const input = await open(src, 'r'), output = await open(out, 'w'); const hash = createHash('sha256'); const buf = Buffer.allocUnsafe(256 * 1024);
  for (let off = 0; off < 256 << 20; ) { const { bytesRead } = await input.read(buf, 0, buf.length, off); hash.update(buf.subarray(0, bytesRead)); await output.write(buf, 0, bytesRead, off); off += bytesRead; }
  console.log('written', r()); await output.sync(); console.log('synced', r()); await input.close(); await output.close();
}
await rm(src); await rm(out);
