/**
 * The cost of a private network and the node's resistance to floods and fuzz, each against a
 * baseline in the same run:
 * - lookup latency (p50 and mean) on a 32-node loopback ring, plain vs with the network secret (PSK TLS);
 * - single-source throughput of 1 MiB chunks between two transports, plain vs secret;
 * - that throughput while a third peer floods the server with pings (as fast as it can) and
 *   200 connections drip one byte at a time, vs unflooded;
 * - the fuzzers' inputs per second (fast-check properties of the parsers), FUZZ_RUNS in all
 *   (default 1,000,000).
 */
import { connect, type Socket } from 'node:net';
import fc from 'fast-check';
import { createTcpNode } from '../dist/dht/create-tcp-node.js';
import type { ChordNode } from '../dist/dht/chord-node.js';
import { hashId } from '../dist/core/ring-math.js';
import { checkRing } from '../dist/sim/ring-check.js';
import { networkKey, parseSecret } from '../dist/transport/network-secret.js';
import { TcpTransport } from '../dist/transport/tcp-transport.js';
import type { RequestHandler } from '../dist/transport/transport.js';
import { manifests, p2pci, randomBytes, wireFrames } from '../test/fuzz/fuzz-properties.js';

const KEY = networkKey(parseSecret('5a'.repeat(32)));
const CHUNK = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function privateBench(): Promise<Record<string, unknown>> {
  const plainLookup = await lookupLatency(undefined);
  const secretLookup = await lookupLatency(KEY);
  // Three alternating rounds after a warm-up, medians compared: one slow round (GC, a busy
  // neighbour process) does not decide the ratio.
  await throughput(undefined, false, 64);
  const rounds = { plain: [] as number[], secret: [] as number[], flooded: [] as number[] };
  for (let i = 0; i < 3; i++) {
    rounds.plain.push(await throughput(undefined, false));
    rounds.secret.push(await throughput(KEY, false));
    rounds.flooded.push(await throughput(undefined, true));
  }
  const [plainMBps, secretMBps, floodedMBps] = [median(rounds.plain), median(rounds.secret), median(rounds.flooded)];
  return {
    lookup: {
      plain: plainLookup,
      secret: secretLookup,
      p50Ratio: round(secretLookup.p50Ms / plainLookup.p50Ms),
      meanRatio: round(secretLookup.meanMs / plainLookup.meanMs),
    },
    throughput: {
      plainMBps,
      secretMBps,
      secretRatio: round(secretMBps / plainMBps),
      floodedMBps,
      floodedRatio: round(floodedMBps / plainMBps),
      rounds,
      goal: 'secret >= 0.8x plain; flooded >= 0.8x unflooded; secret lookup mean <= 1.2x plain',
    },
    fuzz: fuzzRate(Number(process.env.FUZZ_RUNS ?? 1_000_000)),
  };
}

async function lookupLatency(key: Buffer | undefined, n = 32, lookups = 1000) {
  const nodes: ChordNode[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const node = await createTcpNode({ port: 0, stabilizeMs: 200, networkKey: key });
      if (i > 0) await node.join(nodes[i - 1]!.self.address);
      nodes.push(node);
    }
    for (
      let t = 0;
      t < 100 &&
      !checkRing(
        nodes.map((x) => x.snapshot({ fingers: false })),
        { fingers: false },
      ).healthy;
      t++
    )
      await sleep(100);
    for (const node of nodes) await node.refreshFingers();
    for (const node of nodes) node.stabilization.pause();
    // Warm every connection first: the handshake is paid once per peer, not per lookup.
    for (let k = 0; k < lookups; k++) await nodes[k % n]!.lookup(`warm-${k}`);
    const times: number[] = [];
    for (let k = 0; k < lookups; k++) {
      const t = performance.now();
      await nodes[k % n]!.lookup(`bench-key-${k}`);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    return {
      nodes: n,
      lookups,
      p50Ms: round(times[lookups >> 1]!),
      meanMs: round(times.reduce((a, b) => a + b) / lookups),
    };
  } finally {
    await Promise.all(nodes.map((x) => x.stop()));
  }
}

function transportPair(key: Buffer | undefined) {
  let id = '0';
  const server = new TcpTransport({ identity: () => ({ id, bits: 160, routing: 'chord' }), networkKey: key });
  const data = Buffer.alloc(CHUNK, 7);
  const handler: RequestHandler = async (type) => (type === 'file_chunk' ? { data } : { id }) as never;
  return {
    server,
    client: new TcpTransport({
      identity: () => ({ id: '1', bits: 160, routing: 'chord' }),
      networkKey: key,
      timeoutMs: 10_000,
    }),
    listen: async () => {
      const address = await server.listen(handler);
      id = hashId(address, 160).toString(16);
      return address;
    },
  };
}

/** MB/s of 256 chunks of 1 MiB, 8 in flight; `flood` adds a ping flooder and 200 slow-drip sockets. */
async function throughput(key: Buffer | undefined, flood: boolean, chunks = 256): Promise<number> {
  const { server, client, listen } = transportPair(key);
  const address = await listen();
  const stopFlood = flood ? startFlood(address) : () => undefined;
  try {
    const body = { name: 'f', manifest: 'a'.repeat(64), index: 0 };
    await client.request(address, 'file_chunk', body);
    let next = 0;
    const t = performance.now();
    const worker = async () => {
      while (next++ < chunks) await client.request(address, 'file_chunk', body);
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    return round((chunks * CHUNK) / 1e6 / ((performance.now() - t) / 1000));
  } finally {
    stopFlood();
    await client.close();
    await server.close();
  }
}

function startFlood(address: string): () => void {
  let running = true;
  const flooder = new TcpTransport({ identity: () => ({ id: '2', bits: 160, routing: 'chord' }), timeoutMs: 10_000 });
  const pump = async () => {
    // Refusals are what the flood is for: back off a moment and send the next one.
    while (running) await flooder.request(address, 'ping', {}).catch(() => sleep(1));
  };
  for (let i = 0; i < 64; i++) void pump();
  const [host, port] = [
    address.slice(0, address.lastIndexOf(':')),
    Number(address.slice(address.lastIndexOf(':') + 1)),
  ];
  const drips: Socket[] = [];
  for (let i = 0; i < 200; i++) {
    const s = connect({ host, port });
    s.on('error', () => undefined); // the server may close a drip: that is what it should do
    drips.push(s);
  }
  const timer = setInterval(() => {
    for (const s of drips) if (!s.destroyed) s.write(Buffer.from([0]));
  }, 100);
  return () => {
    running = false;
    clearInterval(timer);
    for (const s of drips) s.destroy();
    void flooder.close();
  };
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
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
