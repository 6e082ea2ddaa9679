/**
 * Lookup latency and RPCs per lookup on real loopback TCP: 128 p2pterm peers in one process,
 * and in the same run a 128-node bittorrent-dht swarm (announce from one node, look up from
 * another) as the baseline.
 */
import { createTcpNode } from '../dist/dht/create-tcp-node.js';
import type { ChordNode } from '../dist/dht/chord-node.js';
import { checkRing } from '../dist/sim/ring-check.js';
import { createHash } from 'node:crypto';
import DHT from 'bittorrent-dht';

interface LatencyFigures {
  nodes: number;
  lookups: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  rpcsPerLookup: number;
}

export async function p2ptermLookupLatency(n = 128, lookups = 2000): Promise<LatencyFigures & { meanHops: number }> {
  const nodes: ChordNode[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const node = await createTcpNode({ port: 0, stabilizeMs: 200 });
      if (i > 0) await node.join(nodes[Math.floor(Math.random() * i)]!.self.address);
      nodes.push(node);
    }
    for (
      let tries = 0;
      tries < 100 &&
      !checkRing(
        nodes.map((x) => x.snapshot({ fingers: false })),
        { fingers: false },
      ).healthy;
      tries++
    )
      await sleep(100);
    for (const node of nodes) await node.refreshFingers();
    // Stabilization keeps running, as in any live ring (settled, its rounds have backed off to
    // 8x the interval): a lookup's owner check takes the last hop's word, which those rounds keep
    // fresh. A paused ring would make every last hop ask its successor again for each lookup.
    await sleep(300);
    const times: number[] = [];
    let rpcs = 0;
    let hops = 0;
    for (let k = 0; k < lookups; k++) {
      const from = nodes[k % n]!;
      const t = performance.now();
      const r = await from.lookup(`bench-key-${k}`);
      times.push(performance.now() - t);
      rpcs += r.rpcs;
      hops += r.hops;
    }
    return { ...figures(n, times, rpcs / lookups), meanHops: round(hops / lookups) };
  } finally {
    await Promise.all(nodes.map((x) => x.stop()));
  }
}

export async function bittorrentDhtLookupLatency(
  n = 128,
  lookups = 100,
): Promise<LatencyFigures & { firstPeerP50Ms: number; firstPeerP99Ms: number }> {
  const dhts: DHT[] = [];
  let queries = 0;
  try {
    const first = new DHT({ bootstrap: false, host: '127.0.0.1' });
    await listen(first);
    dhts.push(first);
    const boot = [`127.0.0.1:${first.address().port}`];
    for (let i = 1; i < n; i++) {
      const d = new DHT({ bootstrap: boot, host: '127.0.0.1' });
      await listen(d);
      dhts.push(d);
    }
    await Promise.all(dhts.map((d) => (d.ready ? null : new Promise<void>((r) => d.once('ready', r)))));
    for (const d of dhts) d._rpc.socket.on('query', () => queries++);
    const times: number[] = [];
    const firstPeer: number[] = [];
    let rpcTotal = 0;
    for (let k = 0; k < lookups; k++) {
      const infoHash = createHash('sha1').update(`bench-${k}`).digest();
      const announcer = dhts[k % n];
      await new Promise<void>((res, rej) =>
        announcer.announce(infoHash, 6881, (e: Error | null) => (e ? rej(e) : res())),
      );
      const asker = dhts[(k * 7 + 3) % n];
      const before = queries;
      const t = performance.now();
      await new Promise<void>((res) => {
        let seen = false;
        const onPeer = () => {
          if (!seen) {
            seen = true;
            firstPeer.push(performance.now() - t);
          }
        };
        asker.on('peer', onPeer);
        asker.lookup(infoHash, () => {
          times.push(performance.now() - t);
          asker.off('peer', onPeer);
          res();
        });
      });
      rpcTotal += queries - before;
    }
    const early = figures(n, firstPeer, rpcTotal / lookups);
    return { ...figures(n, times, rpcTotal / lookups), firstPeerP50Ms: early.p50Ms, firstPeerP99Ms: early.p99Ms };
  } finally {
    await Promise.all(dhts.map((d) => new Promise<void>((r) => d.destroy(r))));
  }
}

function listen(d: DHT): Promise<void> {
  return new Promise((r) => d.listen(0, '127.0.0.1', () => r()));
}

function figures(n: number, times: number[], rpcs: number): LatencyFigures {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!);
  return {
    nodes: n,
    lookups: times.length,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    meanMs: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    rpcsPerLookup: round(rpcs),
  };
}

export async function tcpLookupBench(): Promise<Record<string, unknown>> {
  const ours = await p2ptermLookupLatency();
  const theirs = await bittorrentDhtLookupLatency();
  const target = 0.5 * Math.log2(ours.nodes) + 1;
  return {
    tcpLookup: {
      p2pterm: ours,
      bittorrentDht: theirs,
      p50Ratio: round(ours.p50Ms / theirs.p50Ms),
      p50AtMostQuarter: ours.p50Ms <= theirs.p50Ms / 4,
      rpcsTarget: target,
      rpcsWithinTarget: ours.rpcsPerLookup <= target,
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number) => Math.round(x * 1000) / 1000;

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await tcpLookupBench()));
