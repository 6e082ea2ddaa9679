/**
 * A live ring of real TCP peers in one process, for the console benchmark: starts N p2pterm
 * nodes on loopback (from dist), joins them one by one, waits until the ring checks healthy,
 * then prints `{"ready":true,"addresses":[...]}` on stdout and runs until stdin closes or
 * SIGTERM/SIGINT. Progress and errors go to stderr.
 *
 * `node --import=tsx bench/ring-peers.ts [N=63] [BITS=16] [STABILIZE_MS=500]`
 */
import { createTcpNode } from '../dist/dht/create-tcp-node.js';
import type { ChordNode } from '../dist/dht/chord-node.js';
import { checkRing } from '../dist/sim/ring-check.js';

const [n = 63, bits = 16, stabilizeMs = 500] = process.argv.slice(2).map(Number);
const nodes: ChordNode[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function addPeer(): Promise<void> {
  // With small ids two addresses can hash to the same id: such a joiner is dropped and replaced.
  for (let attempt = 0; attempt < 5; attempt++) {
    const node = await createTcpNode({ port: 0, bits, stabilizeMs });
    try {
      if (nodes.length > 0) await node.join(nodes[Math.floor(Math.random() * nodes.length)]!.self.address);
      nodes.push(node);
      return;
    } catch (e) {
      process.stderr.write(`ring-peers: join failed (${(e as Error).message}); retrying\n`);
      await node.stop();
    }
  }
  throw new Error('ring-peers: could not add a peer');
}

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.race([
    Promise.all(
      nodes.map((x) => x.stop().catch((e: Error) => process.stderr.write(`ring-peers: stop failed: ${e.message}\n`))),
    ),
    sleep(3000),
  ]);
  process.exit(code);
}
process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));
process.stdin.on('end', () => void stop(0));
process.stdin.resume();

try {
  for (let i = 0; i < n; i++) await addPeer();
  let healthy = false;
  for (let tries = 0; tries < 300 && !healthy; tries++) {
    healthy = checkRing(
      nodes.map((x) => x.snapshot({ fingers: false })),
      { fingers: false },
    ).healthy;
    if (!healthy) await sleep(100);
  }
  if (!healthy) throw new Error(`ring of ${n} did not converge in 30 s`);
  for (const node of nodes) await node.refreshFingers();
  process.stdout.write(JSON.stringify({ ready: true, addresses: nodes.map((x) => x.self.address) }) + '\n');
} catch (e) {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  await stop(1);
}
