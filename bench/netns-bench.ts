/**
 * The namespace bed (test/helpers/netns.ts): six p2pterm processes and a tracker, each in a
 * network namespace of its own, talking over veth links and a bridge. Figures: the hosts'
 * round-trip time (TCP connect), lookup latency p50/p99 next to the ideal (hops x RTT), the
 * same with every link capped by tbf, and the time from healing a partition to one ring.
 * The kernel here has no netem, so latency is not added in the bed (`netem` says so).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type BedNode, NODE_PORT, ringHealthy, startBedRing } from '../test/helpers/bed-ring.js';
import { createNetBed, type NetBed, type NetHost } from '../test/helpers/netns.js';
import { waitFor } from '../test/helpers/wait.js';
import { median } from './settle.js';

const run = promisify(execFile);
const BITS = 32;
const LOOKUPS = 300;
const CAP = '10mbit';

export async function netnsBench(): Promise<Record<string, unknown>> {
  const bed = await createNetBed({ hosts: 7 });
  const root = mkdtempSync(join(tmpdir(), 'p2pterm-bench-netns-'));
  try {
    const { nodes } = await startBedRing(bed, { root, bits: BITS });
    const formed = await waitFor(() => ringHealthy(nodes), 90_000, 500);
    if (!formed) return { error: 'the bed ring did not form within 90 s' };
    const rttMs = await connectRtt(bed.hosts[1]!, nodes[1]!);
    const open = await lookupLatency(nodes, rttMs);
    const shaping = await Promise.all(bed.hosts.map((h) => bed.shape(h, CAP)));
    const capped = await lookupLatency(nodes, await connectRtt(bed.hosts[1]!, nodes[1]!));
    await Promise.all(bed.hosts.map((h) => bed.ip('netns', 'exec', h.ns, 'tc', 'qdisc', 'del', 'dev', 'eth0', 'root')));
    return {
      hosts: nodes.length,
      netem: bed.netem,
      rttMs: round(rttMs),
      lookups: open,
      cappedLinks: { shaping: shaping[0], ...capped },
      partitionHeal: await mergeTime(bed, nodes),
    };
  } finally {
    await bed.destroy();
    rmSync(root, { recursive: true, force: true });
  }
}

/** Median TCP connect time from `from` to `to`'s node port: one SYN / SYN-ACK round trip. */
async function connectRtt(from: NetHost, to: BedNode): Promise<number> {
  const [host, port] = [to.host.ipv4, NODE_PORT];
  const script = `const net=require('net');const xs=[];(async()=>{for(let i=0;i<40;i++){const t=performance.now();
await new Promise((ok,no)=>{const s=net.connect(${port},'${host}',()=>{xs.push(performance.now()-t);s.destroy();ok()});s.on('error',no)});}
xs.sort((a,b)=>a-b);console.log(xs[20]);})()`;
  const { stdout } = await run('ip', ['netns', 'exec', from.ns, process.execPath, '-e', script]);
  return Number(stdout.trim());
}

/** Lookups of fresh keys from every node in turn: the node's own timing, and hops. */
async function lookupLatency(nodes: BedNode[], rttMs: number) {
  const times: number[] = [];
  let hops = 0;
  for (let k = 0; k < LOOKUPS; k++) {
    const r = await nodes[k % nodes.length]!.cmd(`lookup netns-bench-${k}`, 15_000);
    if (!r.ok) throw new Error(`lookup failed: ${JSON.stringify(r)}`);
    times.push(r.ms);
    hops += r.hops;
  }
  times.sort((a, b) => a - b);
  const meanHops = hops / LOOKUPS;
  return {
    count: LOOKUPS,
    p50Ms: round(median(times)),
    p99Ms: round(times[Math.floor(times.length * 0.99)]!),
    meanHops: round(meanHops),
    idealMs: round(meanHops * rttMs),
  };
}

/** Splits the hosts in two, lets each side settle into its own ring, heals, and times one ring again. */
async function mergeTime(bed: NetBed, nodes: BedNode[]) {
  const east = nodes.filter((n) => n.host.index >= 4);
  const west = nodes.filter((n) => n.host.index < 4);
  await bed.partition(east.map((n) => n.host));
  const split =
    (await waitFor(() => ringHealthy(west), 60_000, 500)) && (await waitFor(() => ringHealthy(east), 60_000, 500));
  await bed.heal();
  const healedAt = performance.now();
  const merged = await waitFor(() => ringHealthy(nodes), 120_000, 250);
  return { sidesSettled: split, merged, mergeMs: merged ? Math.round(performance.now() - healedAt) : null };
}

const round = (x: number) => Math.round(x * 100) / 100;
