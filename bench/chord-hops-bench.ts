/**
 * Lookup path lengths on the memory transport (virtual clock), chord for N = 2^4..2^16 and
 * naive for N = 2^4..2^10, next to ½·log₂N. Each ring is built by joins through random
 * members, its fingers fixed by the node's own fix-fingers lookups, then measured.
 */
import { SimRing } from '../dist/sim/sim-ring.js';
import type { Routing } from '../dist/core/chord-state.js';

export interface HopsRow {
  routing: Routing;
  n: number;
  meanHops: number;
  p99Hops: number;
  halfLog2N: number;
  targetMeanHops: number;
  withinTarget: boolean;
  lookups: number;
  buildMs: number;
  fingersMs: number;
  measureMs: number;
  totalMs: number;
  healthy: boolean;
}

export async function hopsFor(n: number, routing: Routing, lookups: number): Promise<HopsRow> {
  const t0 = performance.now();
  const ring = new SimRing({ seed: n, routing, stabilizeMs: 1_000 });
  for (let i = 0; i < n; i++) {
    await ring.add();
    // Let each join's nudge settle now and then, as time passes between real joins.
    if (i % 32 === 0) await new Promise((r) => setImmediate(r));
  }
  await new Promise((r) => setImmediate(r));
  const t1 = performance.now();
  for (const node of ring.nodes) await node.refreshFingers();
  const t2 = performance.now();
  const healthy = ring.health({ fingers: false }).healthy;
  const hops: number[] = [];
  for (let k = 0; k < lookups; k++) hops.push((await ring.pickLive().lookup(`key-${k}`)).hops);
  const t3 = performance.now();
  await ring.stop();
  hops.sort((a, b) => a - b);
  const mean = hops.reduce((a, b) => a + b, 0) / hops.length;
  const half = 0.5 * Math.log2(n);
  const target = routing === 'chord' ? half + 0.5 : n / 2;
  return {
    routing,
    n,
    meanHops: round(mean),
    p99Hops: hops[Math.floor(hops.length * 0.99)]!,
    halfLog2N: half,
    targetMeanHops: target,
    withinTarget: routing === 'chord' ? mean <= target : Math.abs(mean - n / 2) <= n / 8,
    lookups,
    buildMs: ms(t1 - t0),
    fingersMs: ms(t2 - t1),
    measureMs: ms(t3 - t2),
    totalMs: ms(t3 - t0),
    healthy,
  };
}

export async function chordHopsBench(
  opts: { maxExp?: number; naiveMaxExp?: number } = {},
): Promise<Record<string, unknown>> {
  const rows: HopsRow[] = [];
  for (let e = 4; e <= (opts.maxExp ?? 16); e++) {
    const row = await hopsFor(2 ** e, 'chord', Math.min(10_000, 2 ** e * 4));
    row.n === 65536 && Object.assign(row, { peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) });
    rows.push(row);
    log(row);
  }
  for (let e = 4; e <= (opts.naiveMaxExp ?? 10); e++) {
    const row = await hopsFor(2 ** e, 'naive', 500);
    rows.push(row);
    log(row);
  }
  return { chordHops: rows, peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const ms = (x: number) => Math.round(x);
const log = (row: HopsRow) =>
  process.stderr.write(`hops ${row.routing} N=${row.n}: mean ${row.meanHops} p99 ${row.p99Hops} (${row.totalMs} ms)\n`);

if (import.meta.url === `file://${process.argv[1]}`) {
  const maxExp = Number(process.env.BENCH_MAX_EXP ?? 16);
  console.log(JSON.stringify(await chordHopsBench({ maxExp })));
}
