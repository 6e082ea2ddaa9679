/**
 * Churn and partitions (`BENCH=churn`): first with real processes on loopback (32 processes,
 * a join, leave or SIGKILL every 250 ms for 60 s; see churn-procs-bench.ts; CHURN_BENCH_PROCESSES=0
 * skips it), then on the memory transport and virtual time:
 * - lookup success during churn (200 nodes, a join, graceful leave or crash every
 *   stabilization interval, 20 lookups per interval) and after the churn stops and the ring settles;
 * - time for 25 % simultaneous crashes (of 512) to heal: until successors and predecessors are
 *   right, and until every lookup of a storm names the true owner;
 * - merge time after a partition heals, for N = 64, 1,000 and 10,000: the ring split in two
 *   for 30 s (arcs by id, as the lab's `w`; interleaved at random too for the smaller rings),
 *   then virtual ms from the heal until the live nodes form one ordered ring;
 * - lookup latency p50/p99 with 20 ms one-way latency and 1 % message loss, next to the ideal
 *   (hops × RTT, and hops × RTT plus the owner check's one RTT).
 */
import type { ChordNode } from '../dist/dht/chord-node.js';
import { labHealth } from '../dist/sim/lab-health.js';
import { successorIndex } from '../dist/sim/ring-check.js';
import { SimRing } from '../dist/sim/sim-ring.js';
import { churnProcesses } from './churn-procs-bench.js';

const STABILIZE_MS = 500;

export async function churnBench(opts: { mergeSizes?: number[] } = {}): Promise<Record<string, unknown>> {
  const processes = process.env.CHURN_BENCH_PROCESSES === '0' ? null : await churnProcesses();
  if (processes) log(`processes: ${JSON.stringify(processes)}`);
  const churn = await lookupsUnderChurn();
  log(`churn: ${JSON.stringify(churn)}`);
  const crash = await crashQuarter(512);
  log(`crash 25%: ${JSON.stringify(crash)}`);
  const merges: Record<string, unknown>[] = [];
  // CHURN_BENCH_MERGE_SIZES=64,1000 skips the 10,000-node ring (about 9 min of wall time).
  const sizes = process.env.CHURN_BENCH_MERGE_SIZES?.split(',').map(Number);
  for (const n of opts.mergeSizes ?? sizes ?? [64, 1_000, 10_000]) {
    for (const interleaved of n <= 1_000 ? [false, true] : [false]) {
      merges.push(await mergeAfterPartition(n, interleaved));
      log(`merge: ${JSON.stringify(merges.at(-1))}`);
    }
  }
  const latency = await lookupLatency();
  log(`latency: ${JSON.stringify(latency)}`);
  return { processes, churn, crash25: crash, merge: merges, latency };
}

function sortedIds(nodes: readonly ChordNode[]): bigint[] {
  return nodes.map((n) => n.self.id).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Lookups from random live nodes: how many named the true owner, and the virtual ms each took. */
async function lookups(ring: SimRing, k: number, tag: string): Promise<{ ok: number; ms: number[]; hops: number[] }> {
  const from = Array.from({ length: k }, () => ring.pickLive());
  // A failed lookup is a result here: null counts as not naming the owner.
  const results = await ring.settle(Promise.all(from.map((n, i) => n.lookup(`${tag}-${i}`).catch(() => null))));
  const ids = sortedIds(ring.live);
  let ok = 0;
  const ms: number[] = [];
  const hops: number[] = [];
  for (const r of results) {
    if (!r) continue;
    if (BigInt('0x' + r.owner.id) === ids[successorIndex(ids, BigInt('0x' + r.key))]) ok++;
    ms.push(r.ms);
    hops.push(r.hops);
  }
  return { ok, ms, hops };
}

async function lookupsUnderChurn(): Promise<Record<string, unknown>> {
  const ring = new SimRing({ seed: 31, stabilizeMs: STABILIZE_MS });
  await ring.addSequential(200);
  await ring.converge(60_000, { fingers: true });
  let ok = 0;
  let total = 0;
  for (let step = 0; step < 120; step++) {
    const kind = step % 3;
    if (kind === 0) await ring.settle(ring.add());
    else if (kind === 1) await ring.settle(ring.leave(ring.pickLive()));
    else await ring.crash(ring.pickLive());
    await ring.clock.advance(STABILIZE_MS);
    const r = await lookups(ring, 20, `c${step}`);
    ok += r.ok;
    total += 20;
  }
  const settleMs = await ring.converge(120_000);
  const after = await lookups(ring, 1000, 'after');
  await ring.stop();
  return {
    nodes: 200,
    events: 120,
    lookupsDuring: total,
    successDuringPct: pct(ok, total),
    settleMs,
    lookupsAfter: 1000,
    successAfterPct: pct(after.ok, 1000),
  };
}

async function crashQuarter(n: number): Promise<Record<string, unknown>> {
  const ring = new SimRing({ seed: 32, stabilizeMs: STABILIZE_MS });
  await ring.addSequential(n);
  await ring.converge(120_000, { fingers: true });
  const victims = ring.live.filter((_, i) => i % 4 === 1);
  const w0 = performance.now();
  for (const v of victims) await ring.crash(v);
  const ringMs = await ring.converge(300_000, { checkEveryMs: 100 });
  const storm = await lookups(ring, 1000, 'storm');
  const fullMs = await ring.converge(600_000, { fingers: true, checkEveryMs: 500 });
  const wallMs = Math.round(performance.now() - w0);
  await ring.stop();
  return {
    nodes: n,
    crashed: victims.length,
    ringMs,
    lookupsRightAfterPct: pct(storm.ok, 1000),
    fingersExtraMs: fullMs,
    wallMs,
  };
}

async function mergeAfterPartition(n: number, interleaved: boolean): Promise<Record<string, unknown>> {
  const ring = new SimRing({ seed: 33, stabilizeMs: STABILIZE_MS });
  const b0 = performance.now();
  await ring.addSequential(n);
  await ring.converge(300_000);
  const sorted = [...ring.live].sort((a, b) => (a.self.id < b.self.id ? -1 : 1));
  const groups: string[][] = [[], []];
  sorted.forEach((node, i) => {
    const g = interleaved ? Math.floor(ring.random() * 2) : Math.floor((i * 2) / sorted.length);
    groups[g]!.push(node.self.address);
  });
  ring.network.partition(groups);
  await ring.clock.advance(30_000);
  const before = labHealth(ring.live, { fingerBudget: 0 }).rings;
  const setupWallMs = Math.round(performance.now() - b0);
  ring.network.heal();
  const w0 = performance.now();
  const t0 = ring.clock.now();
  let mergeMs = -1;
  while (ring.clock.now() - t0 <= 120_000) {
    const h = labHealth(ring.live, { fingerBudget: 0 });
    if (h.healthy && h.rings === 1) {
      mergeMs = ring.clock.now() - t0;
      break;
    }
    await ring.clock.advance(100);
  }
  const wallMs = Math.round(performance.now() - w0);
  await ring.stop();
  return { nodes: n, split: interleaved ? 'interleaved' : 'arcs', ringsBefore: before, mergeMs, wallMs, setupWallMs };
}

async function lookupLatency(): Promise<Record<string, unknown>> {
  const ring = new SimRing({ seed: 34, stabilizeMs: STABILIZE_MS });
  await ring.addSequential(256);
  await ring.converge(300_000, { fingers: true });
  ring.network.latencyMs = 20;
  ring.network.loss = 0.01;
  const r = await lookups(ring, 1000, 'lat');
  await ring.stop();
  const rtt = 40;
  const ideal = r.hops.map((h) => h * rtt);
  const withCheck = r.hops.map((h) => (h + 1) * rtt);
  return {
    nodes: 256,
    oneWayMs: 20,
    loss: 0.01,
    lookups: r.ms.length,
    successPct: pct(r.ok, 1000),
    meanHops: Math.round((r.hops.reduce((a, b) => a + b, 0) / r.hops.length) * 100) / 100,
    p50Ms: quantile(r.ms, 0.5),
    p99Ms: quantile(r.ms, 0.99),
    idealP50Ms: quantile(ideal, 0.5),
    idealP99Ms: quantile(ideal, 0.99),
    idealWithOwnerCheckP50Ms: quantile(withCheck, 0.5),
    idealWithOwnerCheckP99Ms: quantile(withCheck, 0.99),
  };
}

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
}

function pct(ok: number, total: number): number {
  return Math.round((ok / Math.max(1, total)) * 10_000) / 100;
}

function log(message: string): void {
  process.stderr.write(`churn: ${message}\n`);
}
