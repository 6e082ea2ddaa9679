/**
 * Tracker benchmark over real TCP connections on loopback.
 *
 * The tracker runs in a child process (this file with `--serve DB`) so that it has a core of
 * its own and the figures measure the server, not the load generator sharing its event loop.
 *  1. register 1,000 p2pterm peers (1,000 connections, native protocol), timed;
 *  2. announce 100 files each = 100,000 records (half of them `rfcN.txt`, N in 1..10,000, so
 *     an RFC has about 5 sources), timed;
 *  3. P2P-CI LOOKUP throughput from several concurrent connections, pipelined (a window of
 *     outstanding requests per connection) and request-by-request; every answer is checked.
 * Run alone: `node --import=tsx bench/tracker-bench.ts` prints the figures as JSON.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { TrackerClient } from '../src/tracker/tracker-client.js';
import { TrackerServer } from '../src/tracker/tracker-server.js';

const PEERS = 1000;
const FILES_PER_PEER = 100;
const RFC_SPACE = 10_000;
const LOOKUP_CONNECTIONS = 8;
const LOOKUP_SECONDS = 3;
const SELF = fileURLToPath(import.meta.url);

export async function trackerBench(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'p2pterm-tracker-bench-'));
  const child = await spawnServer(join(dir, 'tracker.db'));
  const clients: TrackerClient[] = [];
  try {
    const address = `127.0.0.1:${child.port}`;
    const registerMs = await timed(() => registerPeers(address, clients));
    const announceMs = await timed(() => announceFiles(clients));
    const pipelined = await lookupLoad(child.port, LOOKUP_CONNECTIONS, 32);
    const oneByOne = await lookupLoad(child.port, LOOKUP_CONNECTIONS * 4, 1);
    return {
      peers: PEERS,
      records: PEERS * FILES_PER_PEER,
      registerPeersMs: Math.round(registerMs),
      registerPeersPerSec: Math.round(PEERS / (registerMs / 1000)),
      announceRecordsMs: Math.round(announceMs),
      lookupPerSecPipelined: pipelined.perSec,
      lookupPipelined: pipelined,
      lookupPerSecRequestResponse: oneByOne.perSec,
      lookupRequestResponse: oneByOne,
      targetLookupPerSec: 10_000,
      meetsTarget: pipelined.perSec >= 10_000,
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    child.proc.kill('SIGTERM');
    await once(child.proc, 'exit');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function registerPeers(address: string, clients: TrackerClient[]): Promise<void> {
  await inBatches(PEERS, 50, async (i) => {
    const c = new TrackerClient({ address, requestTimeoutMs: 30_000 });
    clients.push(c);
    await c.connect();
    await c.register(`10.${(i >> 8) & 255}.${i & 255}.1`, 20_000 + i);
  });
}

async function announceFiles(clients: readonly TrackerClient[]): Promise<void> {
  await inBatches(clients.length, 50, async (i) => {
    const files = Array.from({ length: FILES_PER_PEER }, (_, j) =>
      j % 2 === 0
        ? { name: `rfc${(((i * FILES_PER_PEER + j) / 2) % RFC_SPACE) + 1}.txt`, size: 1000 + j }
        : { name: `peer${i}-file${j}.bin`, size: j },
    );
    await clients[i]!.announce(files);
  });
}

async function inBatches(n: number, width: number, fn: (i: number) => Promise<void>): Promise<void> {
  for (let start = 0; start < n; start += width) {
    await Promise.all(Array.from({ length: Math.min(width, n - start) }, (_, k) => fn(start + k)));
  }
}

interface LoadResult {
  perSec: number;
  connections: number;
  window: number;
  answers: number;
  notFound: number;
  seconds: number;
}

/** `connections` P2P-CI clients keep `window` LOOKUPs outstanding each for LOOKUP_SECONDS. */
async function lookupLoad(port: number, connections: number, window: number): Promise<LoadResult> {
  const counts = { ok: 0, notFound: 0 };
  const deadline = performance.now() + LOOKUP_SECONDS * 1000;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: connections }, (_, i) => lookupConnection(port, i, window, deadline, counts)));
  const seconds = (performance.now() - t0) / 1000;
  const answers = counts.ok + counts.notFound;
  return {
    perSec: Math.round(answers / seconds),
    connections,
    window,
    answers,
    notFound: counts.notFound,
    seconds: Number(seconds.toFixed(2)),
  };
}

function lookupConnection(
  port: number,
  n: number,
  window: number,
  deadline: number,
  counts: { ok: number; notFound: number },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ port, host: '127.0.0.1', noDelay: true });
    let buf = '';
    let outstanding = 0;
    let seq = n * 7919;
    const send = (): void => {
      const rfc = (seq++ % RFC_SPACE) + 1;
      outstanding++;
      socket.write(`LOOKUP RFC ${rfc} P2P-CI/1.0\r\nHost: bench${n}\r\nPort: ${30_000 + n}\r\nTitle: \r\n\r\n`);
    };
    socket.once('connect', () => {
      for (let k = 0; k < window; k++) send();
    });
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      buf += chunk.toString('latin1');
      for (let used = takeAnswer(buf, counts); used > 0; used = takeAnswer(buf, counts)) {
        buf = buf.slice(used);
        outstanding--;
        if (performance.now() < deadline) send();
        else if (outstanding === 0) return void socket.end(resolve);
      }
    });
  });
}

/** Length of the first complete index answer in `buf` (0 if incomplete); counts it. */
function takeAnswer(buf: string, counts: { ok: number; notFound: number }): number {
  const statusEnd = buf.indexOf('\r\n');
  if (statusEnd < 0 || buf.length < statusEnd + 4) return 0;
  const pos = statusEnd + 4;
  const end = buf.startsWith('\r\n', pos) ? pos + 2 : buf.indexOf('\r\n\r\n', pos) + 4;
  if (end < pos) return 0;
  if (buf.startsWith('P2P-CI/1.0 200 ')) {
    if (!buf.startsWith('RFC ', pos)) throw new Error(`200 without records: ${JSON.stringify(buf.slice(0, end))}`);
    counts.ok++;
  } else if (buf.startsWith('P2P-CI/1.0 404 ')) counts.notFound++;
  else throw new Error(`unexpected answer ${JSON.stringify(buf.slice(0, 80))}`);
  return end;
}

async function spawnServer(db: string): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(process.execPath, ['--import=tsx', SELF, '--serve', db], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`bench tracker exited with ${code}`)));
  });
  return { proc, port: Number((JSON.parse(line) as { address: string }).address.split(':')[1]) };
}

/** Child mode: a tracker allowing the bench's thousand loopback connections. */
async function serve(db: string): Promise<void> {
  const server = new TrackerServer({
    host: '127.0.0.1',
    port: 0,
    dbPath: db,
    maxConnsPerIp: 5000,
    livenessMs: 120_000,
  });
  const address = await server.start();
  process.stdout.write(JSON.stringify({ event: 'listening', address }) + '\n');
  await new Promise((resolve) => process.once('SIGTERM', resolve));
  await server.stop();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv[2] === '--serve') await serve(process.argv[3]!);
  else process.stdout.write(JSON.stringify(await trackerBench(), null, 2) + '\n');
}
