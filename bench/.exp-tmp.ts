// Experiment: the cost of moving 256 KiB chunks to hash workers: transfer vs SharedArrayBuffer slots vs inline.
import { createHash, randomFillSync } from 'node:crypto';
import { open, writeFile, rm } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
const SZ = 256 * 1024, N = 1024;
const src = '/dev/shm/exp-src.bin', dst = '/dev/shm/exp-dst.bin';
const big = Buffer.allocUnsafe(SZ * N); randomFillSync(big); await writeFile(src, big);
const W = `const { parentPort, workerData } = require('node:worker_threads'); const { createHash } = require('node:crypto');
parentPort.on('message', (m) => { if (m.sab) { parentPort.postMessage({ id: m.id, hex: createHash('sha256').update(new Uint8Array(m.sab, m.off, m.len)).digest('hex') }); return; }
 const hex = createHash('sha256').update(new Uint8Array(m.buf)).digest('hex'); parentPort.postMessage({ id: m.id, hex, buf: m.buf }, [m.buf]); });`;
const workers = [new Worker(W, { eval: true }), new Worker(W, { eval: true })];
let nextId = 0; const pend = new Map<number, (m: any) => void>();
for (const w of workers) w.on('message', (m) => { pend.get(m.id)!(m); pend.delete(m.id); });
const call = (w: Worker, msg: any, tr?: ArrayBuffer[]) => new Promise<any>((r) => { const id = nextId++; pend.set(id, r); w.postMessage({ ...msg, id }, tr ?? []); });
async function run(mode: string, depth = 8) {
  const fin = await open(src, 'r'), fout = await open(dst, 'w');
  const sab = new SharedArrayBuffer(SZ * depth); const freeSlots = Array.from({ length: depth }, (_, i) => i);
  const t = performance.now(); const cpu = process.cpuUsage();
  const inflight = new Set<Promise<void>>();
  for (let i = 0; i < N; i++) {
    const job = (async () => {
      const b = Buffer.allocUnsafeSlow(SZ); await fin.read(b, 0, SZ, i * SZ);
      if (mode === 'transfer') { const r = await call(workers[i % 2]!, { buf: b.buffer }, [b.buffer]); await fout.write(new Uint8Array(r.buf), 0, SZ, i * SZ); }
      else if (mode === 'sab') { const s = freeSlots.pop()!; const v = new Uint8Array(sab, s * SZ, SZ); v.set(b); await call(workers[i % 2]!, { sab, off: s * SZ, len: SZ }); await fout.write(v, 0, SZ, i * SZ); freeSlots.push(s); }
      else { createHash('sha256').update(b).digest('hex'); await fout.write(b, 0, SZ, i * SZ); }
    })();
    inflight.add(job); job.finally(() => inflight.delete(job));
    if (inflight.size >= depth) await Promise.race(inflight);
  }
  await Promise.all(inflight); await fin.close(); await fout.close();
  const ms = performance.now() - t; const c = process.cpuUsage(cpu);
  console.log(mode.padEnd(9), (SZ * N / 1e6 / (ms / 1000)).toFixed(0), 'MB/s', 'cpu user', (c.user / 1000).toFixed(0), 'sys', (c.system / 1000).toFixed(0));
}
for (let r = 0; r < 5; r++) for (const m of ["inline", "transfer", "sab"]) await run(m);
for (const w of workers) await w.terminate(); await rm(src); await rm(dst);
