/**
 * The cost of a private network and the node's resistance to floods and fuzz, each against a
 * baseline in the same run:
 * - lookup latency (p50 and mean) on two 32-node loopback rings side by side, one plain and one
 *   with the network secret (PSK TLS), lookups alternating between them; every node has first
 *   opened its connections to all the others, so a lookup pays only what it costs on a warm
 *   ring, and that opening (dial, handshake, hello, address probe) is reported on its own;
 * - single-source throughput of 1 MiB chunks, plain vs secret, the serving transport in a
 *   process of its own (see private-child.ts) as in a real deployment, with the CPU time each
 *   side spends per MiB;
 * - that throughput while a third process floods the server with pings (as fast as it can)
 *   and 200 connections drip one byte at a time, vs unflooded (the transport alone);
 * - the headline flood figure: a 64 MiB download between node processes (disk, hashing, the
 *   file service) with and without that flood on the serving node (see flood-download.ts);
 * - the fuzzers' inputs per second (fast-check properties of the parsers), FUZZ_RUNS in all
 *   (default 1,000,000).
 * PRIVATE_BENCH_PARTS picks some of lookup,throughput,flood,fuzz (default: all).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { EventBus } from '../dist/bus/event-bus.js';
import { ChordNode } from '../dist/dht/chord-node.js';
import { checkRing } from '../dist/sim/ring-check.js';
import { networkKey, parseSecret } from '../dist/transport/network-secret.js';
import { TcpTransport } from '../dist/transport/tcp-transport.js';
import { manifests, p2pci, randomBytes, wireFrames } from '../test/fuzz/fuzz-properties.js';
import { floodDownloadBench } from './flood-download.js';

const KEY = networkKey(parseSecret('5a'.repeat(32)));
const CHUNK = 1024 * 1024;
const CHILD = fileURLToPath(new URL('./private-child.ts', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function privateBench(): Promise<Record<string, unknown>> {
  const parts = (process.env.PRIVATE_BENCH_PARTS ?? 'lookup,throughput,flood,fuzz').split(',');
  const out: Record<string, unknown> = {};
  if (parts.includes('lookup')) out.lookup = await lookupLatency();
  if (parts.includes('throughput')) out.throughput = await throughputs();
  if (parts.includes('flood')) {
    const flood = await floodDownloadBench();
    Object.assign(out, { floodedRatio: flood.floodedRatio, flood });
  }
  if (parts.includes('fuzz')) out.fuzz = fuzzRate(Number(process.env.FUZZ_RUNS ?? 1_000_000));
  return out;
}

async function throughputs(): Promise<Record<string, unknown>> {
  // Three alternating rounds after a warm-up, medians compared: one slow round (GC, a busy
  // neighbour process) does not decide the ratio.
  await throughput(undefined, false, 64);
  const rounds = { plain: [] as Round[], secret: [] as Round[], flooded: [] as Round[] };
  for (let i = 0; i < 3; i++) {
    rounds.plain.push(await throughput(undefined, false));
    rounds.secret.push(await throughput(KEY, false));
    rounds.flooded.push(await throughput(undefined, true));
  }
  const mb = (rs: Round[]) => median(rs.map((r) => r.MBps));
  const cpu = (rs: Round[]) => ({
    clientMsPerMiB: median(rs.map((r) => r.clientCpuMsPerMiB)),
    serverMsPerMiB: median(rs.map((r) => r.serverCpuMsPerMiB)),
  });
  const [plainMBps, secretMBps, floodedMBps] = [mb(rounds.plain), mb(rounds.secret), mb(rounds.flooded)];
  return {
    plainMBps,
    secretMBps,
    secretRatio: round(secretMBps / plainMBps),
    // The transport alone (1 MiB chunks from memory, no disk): see `flood` for the download's.
    transportFloodedMBps: floodedMBps,
    transportFloodedRatio: round(floodedMBps / plainMBps),
    cpu: { plain: cpu(rounds.plain), secret: cpu(rounds.secret) },
    rounds: {
      plain: rounds.plain.map((r) => r.MBps),
      secret: rounds.secret.map((r) => r.MBps),
      flooded: rounds.flooded.map((r) => r.MBps),
    },
    goal: 'secret >= 0.8x plain; secret lookup <= 1.2x plain',
  };
}

interface Ring {
  readonly nodes: ChordNode[];
  readonly transports: TcpTransport[];
}

async function startRing(key: Buffer | undefined, n: number): Promise<Ring> {
  const ring: Ring = { nodes: [], transports: [] };
  for (let i = 0; i < n; i++) {
    const node = new ChordNode({
      transport: (identity) => {
        // refreshFingers below sends 160 lookups back to back, mostly to the same few peers:
        // faster than the default per-peer request rate, which real nodes never do at once.
        const limits = { requestsPerSecond: 0 };
        const t = new TcpTransport({ host: '127.0.0.1', port: 0, identity, networkKey: key, limits });
        ring.transports.push(t);
        return t;
      },
      stabilizeMs: 200,
      bus: new EventBus(),
    });
    await node.start();
    if (i > 0) await node.join(ring.nodes[i - 1]!.self.address);
    ring.nodes.push(node);
  }
  const healthy = () =>
    checkRing(
      ring.nodes.map((x) => x.snapshot({ fingers: false })),
      { fingers: false },
    ).healthy;
  for (let t = 0; t < 100 && !healthy(); t++) await sleep(100);
  for (const node of ring.nodes) await node.refreshFingers();
  for (const node of ring.nodes) node.stabilization.pause();
  return ring;
}

/**
 * Opens every node's connection to every other node, one at a time: the time of each first
 * request (dial, TLS handshake on a private network, hello, the address probe back).
 */
async function connectAll(ring: Ring): Promise<number[]> {
  const times: number[] = [];
  for (const [i, t] of ring.transports.entries())
    for (const [j, other] of ring.nodes.entries()) {
      if (i === j) continue;
      const t0 = performance.now();
      await t.request(other.self.address, 'ping', {});
      times.push(performance.now() - t0);
    }
  return times;
}

const dialed = (ring: Ring) => ring.transports.reduce((a, t) => a + t.dialed, 0);

async function lookupLatency(n = 32, lookups = 1000) {
  const rings: Record<'plain' | 'secret', Ring | null> = { plain: null, secret: null };
  try {
    rings.plain = await startRing(undefined, n);
    rings.secret = await startRing(KEY, n);
    const both = [rings.plain, rings.secret] as const;
    const connect = [await connectAll(both[0]), await connectAll(both[1])];
    for (let k = 0; k < 200; k++) for (const r of both) await r.nodes[k % n]!.lookup(`warm-${k}`);
    const dialsBefore = both.map(dialed);
    const times: number[][] = [[], []];
    for (let k = 0; k < lookups; k++)
      // Alternating which ring goes first, so neither always follows the other's garbage.
      for (const s of k % 2 ? [1, 0] : [0, 1]) {
        const t = performance.now();
        await both[s]!.nodes[k % n]!.lookup(`bench-key-${k}`);
        times[s]!.push(performance.now() - t);
      }
    const [plain, secret] = [0, 1].map((s) => ({
      nodes: n,
      lookups,
      p50Ms: round(quantile(times[s]!, 0.5)),
      p90Ms: round(quantile(times[s]!, 0.9)),
      meanMs: round(mean(times[s]!)),
      connectionsOpenedDuringLookups: dialed(both[s]!) - dialsBefore[s]!,
      firstRequestToNewPeer: { p50Ms: round(quantile(connect[s]!, 0.5)), meanMs: round(mean(connect[s]!)) },
    }));
    return {
      plain,
      secret,
      p50Ratio: round(secret!.p50Ms / plain!.p50Ms),
      meanRatio: round(secret!.meanMs / plain!.meanMs),
      firstRequestP50Ratio: round(secret!.firstRequestToNewPeer.p50Ms / plain!.firstRequestToNewPeer.p50Ms),
    };
  } finally {
    for (const r of [rings.plain, rings.secret]) if (r) await Promise.all(r.nodes.map((x) => x.stop()));
  }
}

/** A process of private-child.ts: its first line, and its CPU time on request. */
interface Child {
  readonly first: Record<string, unknown>;
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

function startChild(args: string[]): Promise<Child> {
  const child: ChildProcess = spawn(process.execPath, [...process.execArgv, CHILD, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting: ((o: Record<string, unknown>) => void)[] = [];
  readline
    .createInterface({ input: child.stdout! })
    .on('line', (l) => waiting.shift()?.(JSON.parse(l) as Record<string, unknown>));
  const next = (what: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`private-child ${args[0]}: no ${what} in 20 s`)), 20_000);
      waiting.push((o) => (clearTimeout(timer), resolve(o)));
    });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return next('start').then((first) => ({
    first,
    cpuMs: async () => {
      const answer = next('cpu');
      child.stdin!.write('cpu\n');
      return (await answer).cpuMs as number;
    },
    stop: async () => {
      child.stdin!.end();
      const timer = setTimeout(() => child.kill(), 5_000);
      await exited;
      clearTimeout(timer);
    },
  }));
}

interface Round {
  readonly MBps: number;
  readonly clientCpuMsPerMiB: number;
  readonly serverCpuMsPerMiB: number;
}

/** 256 chunks of 1 MiB, 8 in flight, each into its slot; `flood` adds a flooding process (pings, 200 slow drips). */
async function throughput(key: Buffer | undefined, flood: boolean, chunks = 256): Promise<Round> {
  const server = await startChild(key ? ['serve', key.toString('hex')] : ['serve']);
  const address = server.first.address as string;
  const flooder = flood ? await startChild(['flood', address]) : null;
  const client = new TcpTransport({
    identity: () => ({ id: '1', bits: 160, routing: 'chord' }),
    networkKey: key,
    timeoutMs: 10_000,
  });
  try {
    const body = { name: 'f', manifest: 'a'.repeat(64), index: 0 };
    await client.request(address, 'file_chunk', body); // the handshake is not what is timed
    let next = 0;
    const serverCpu = await server.cpuMs();
    const cpu = process.cpuUsage();
    const t = performance.now();
    const worker = async () => {
      // As a download does (peer-chunk-source.ts): each chunk is received into the slot that waits for it.
      const into = Buffer.alloc(CHUNK);
      while (next++ < chunks) await client.request(address, 'file_chunk', body, { into });
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    const seconds = (performance.now() - t) / 1000;
    const used = process.cpuUsage(cpu);
    const serverMs = (await server.cpuMs()) - serverCpu;
    return {
      MBps: round((chunks * CHUNK) / 1e6 / seconds),
      clientCpuMsPerMiB: round((used.user + used.system) / 1000 / chunks),
      serverCpuMsPerMiB: round(serverMs / chunks),
    };
  } finally {
    await client.close();
    await flooder?.stop();
    await server.stop();
  }
}

function fuzzRate(total: number) {
  const props = { wireFrames, randomBytes, manifests, p2pci };
  const each = Math.ceil(total / Object.keys(props).length);
  const out: Record<string, unknown> = { inputs: each * Object.keys(props).length };
  const t0 = performance.now();
  for (const [name, p] of Object.entries(props)) {
    const t = performance.now();
    fc.assert(p as fc.IProperty<unknown[]>, { numRuns: each });
    out[`${name}PerSecond`] = Math.round(each / ((performance.now() - t) / 1000));
  }
  out.crashes = 0; // fc.assert throws on the first crash, which fails the part
  out.perSecond = Math.round((each * 4) / ((performance.now() - t0) / 1000));
  return out;
}

function median(xs: number[]): number {
  return quantile(xs, 0.5);
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))]!;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
