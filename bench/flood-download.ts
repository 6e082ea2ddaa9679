/**
 * A download under a flood, between real p2pterm processes: a serving node sharing a 64 MiB
 * file, a fresh downloading node per round (`get`, tracker-assisted: disk, hashing, the file
 * service's download path), and in the flooded rounds a third process (private-child.ts flood)
 * sending the serving node valid requests as fast as it can plus 200 slow-drip connections.
 * Flooded and unflooded rounds alternate; medians compared. Reports the flooder's request rate
 * and how it was answered, and the CPU each process used per round.
 *
 * Knobs: BENCH_FLOOD_BYTES (default 64 MiB), BENCH_FLOOD_ROUNDS (default 5 of each),
 * BENCH_FLOOD_PEER_RATE (the serving node's --peer-rate; default: the node's own default),
 * FLOOD_PUMPS and FLOOD_DRIPS (the flooder's requests at once, default 64, and drips, default 200).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { median, settleDisk } from './settle.js';
import { cpuSeconds, type Headless, makeFile, round2, sleep, startPeer, startTracker } from './transfer-procs.js';

const CHILD = fileURLToPath(new URL('./private-child.ts', import.meta.url));
/**
 * The flood runs this long before the download starts: the download meets a flood in its
 * steady state (the flooder's token bucket drained, its code compiled), not the flooder's own
 * start-up.
 */
const FLOOD_WARMUP_MS = 1500;

/** What the flooder's requests came to (see private-child.ts). */
interface FloodStats {
  readonly sent: number;
  readonly answered: number;
  readonly busy: number;
  readonly failed: number;
  readonly dripsOpened: number;
}

interface Round {
  readonly MBps: number;
  /** CPU seconds over the download, per process. */
  readonly cpuS: { readonly server: number; readonly downloader: number; readonly flooder?: number };
  /** The flooder's requests during the download, per second, and how they ended. */
  readonly flood?: { readonly sentPerS: number; readonly answeredPerS: number; readonly busyPerS: number } & FloodStats;
}

export async function floodDownloadBench(
  bytes = Number(process.env.BENCH_FLOOD_BYTES ?? 64 * 1024 * 1024),
  rounds = Number(process.env.BENCH_FLOOD_ROUNDS ?? 5),
): Promise<Record<string, unknown>> {
  const root = mkdtempSync(join(tmpdir(), 'p2pterm-flood-'));
  const kill: ChildProcess[] = [];
  try {
    mkdirSync(join(root, 'src'));
    const sha = makeFile(join(root, 'src', 'big.bin'), bytes);
    const tracker = await startTracker(join(root, 't.db'));
    kill.push(tracker.child);
    const rate = process.env.BENCH_FLOOD_PEER_RATE;
    const server = await startPeer(
      join(root, 'src'),
      join(root, 'data-src'),
      tracker.address,
      rate ? ['--peer-rate', rate] : [],
    );
    kill.push(server.child);
    await waitShared(server);
    let n = 0;
    const download = async (flood: boolean): Promise<Round> => {
      const label = `dl-${n++}`;
      const dl = await startPeer(join(root, label), join(root, `data-${label}`), tracker.address);
      kill.push(dl.child);
      const flooder = flood ? await startFlooder(server.address) : null;
      try {
        if (flooder) await sleep(FLOOD_WARMUP_MS);
        const before = { s: cpuSeconds(server.child.pid!), d: cpuSeconds(dl.child.pid!), f: flooder?.cpuS() ?? 0 };
        const stats0 = await flooder?.stats();
        const t = performance.now();
        const r = await dl.cmd('get big.bin');
        const seconds = (performance.now() - t) / 1000;
        const stats1 = await flooder?.stats();
        if (!r.ok || r.sha256 !== sha) throw new Error(`${label}: ${JSON.stringify(r)}`);
        const cpuS = {
          server: round2(cpuSeconds(server.child.pid!) - before.s),
          downloader: round2(cpuSeconds(dl.child.pid!) - before.d),
          ...(flooder ? { flooder: round2(flooder.cpuS() - before.f) } : {}),
        };
        const during = stats0 && stats1 ? floodDuring(stats0, stats1, seconds) : undefined;
        return { MBps: round2(bytes / 1e6 / seconds), cpuS, ...(during ? { flood: during } : {}) };
      } finally {
        await flooder?.stop();
        dl.child.kill();
        settleDisk(join(root, label));
        settleDisk(join(root, `data-${label}`));
      }
    };
    await download(false); // warm-up: the serving node's first reads of the file come from disk
    const all = { unflooded: [] as Round[], flooded: [] as Round[] };
    for (let i = 0; i < rounds; i++) {
      // Which kind goes first alternates, so neither always follows the other's disk writeback.
      for (const flood of i % 2 ? [true, false] : [false, true]) {
        process.stderr.write(`bench: flooded download round ${i + 1}/${rounds}: ${flood ? 'flooded' : 'unflooded'}\n`);
        all[flood ? 'flooded' : 'unflooded'].push(await download(flood));
      }
    }
    return summary(bytes, all);
  } finally {
    for (const c of kill) c.kill();
    rmSync(root, { recursive: true, force: true });
  }
}

function summary(bytes: number, all: { unflooded: Round[]; flooded: Round[] }): Record<string, unknown> {
  const unfloodedMBps = median(all.unflooded.map((r) => r.MBps));
  const floodedMBps = median(all.flooded.map((r) => r.MBps));
  const perS = (k: 'sentPerS' | 'answeredPerS' | 'busyPerS') => median(all.flooded.map((r) => r.flood?.[k] ?? 0));
  const cpu = (rs: Round[], k: 'server' | 'downloader' | 'flooder') => median(rs.map((r) => r.cpuS[k] ?? 0));
  // Each flooded round against the unflooded one next to it in time: less swayed by the load
  // of other processes on a shared machine drifting over the run than the medians are.
  const pairRatios = all.flooded.map((r, i) => round2(r.MBps / all.unflooded[i]!.MBps));
  return {
    bytes,
    unfloodedMBps,
    floodedMBps,
    floodedRatio: round2(floodedMBps / unfloodedMBps),
    pairRatios,
    medianPairRatio: median(pairRatios),
    flooder: {
      requestsPerSecond: perS('sentPerS'),
      answeredPerSecond: perS('answeredPerS'),
      busyPerSecond: perS('busyPerS'),
    },
    cpuSecondsMedian: {
      unflooded: { server: cpu(all.unflooded, 'server'), downloader: cpu(all.unflooded, 'downloader') },
      flooded: {
        server: cpu(all.flooded, 'server'),
        downloader: cpu(all.flooded, 'downloader'),
        flooder: cpu(all.flooded, 'flooder'),
      },
    },
    rounds: all,
    goal: 'flooded >= 0.8x unflooded',
    met: floodedMBps / unfloodedMBps >= 0.8,
  };
}

function floodDuring(a: FloodStats, b: FloodStats, seconds: number): Round['flood'] {
  const d = {
    sent: b.sent - a.sent,
    answered: b.answered - a.answered,
    busy: b.busy - a.busy,
    failed: b.failed - a.failed,
    dripsOpened: b.dripsOpened,
  };
  const per = (x: number) => Math.round(x / seconds);
  return { ...d, sentPerS: per(d.sent), answeredPerS: per(d.answered), busyPerS: per(d.busy) };
}

/** Waits until the serving node offers the file (it hashes it once first). */
async function waitShared(server: Headless): Promise<void> {
  for (let tries = 0; tries < 600; tries++) {
    const r = await server.cmd('search big.bin');
    if (r.matches?.some((m) => m.name === 'big.bin' && m.sources.some((s) => s.online))) return;
    await sleep(200);
  }
  throw new Error('the serving node never offered big.bin');
}

interface Flooder {
  cpuS(): number;
  stats(): Promise<FloodStats>;
  stop(): Promise<void>;
}

/** private-child.ts flooding `address` as a 32-bit chord peer (the bits startPeer's nodes use). */
function startFlooder(address: string): Promise<Flooder> {
  const child = spawn(process.execPath, [...process.execArgv, CHILD, 'flood', address, '32'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting: ((o: Record<string, unknown>) => void)[] = [];
  readline
    .createInterface({ input: child.stdout! })
    .on('line', (l) => waiting.shift()?.(JSON.parse(l) as Record<string, unknown>));
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the flooder did not answer in 20 s')), 20_000);
      waiting.push((o) => (clearTimeout(timer), resolve(o)));
    });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return next().then(() => ({
    cpuS: () => cpuSeconds(child.pid!),
    stats: async () => {
      const answer = next();
      child.stdin!.write('stats\n');
      return (await answer) as unknown as FloodStats;
    },
    stop: async () => {
      child.stdin!.end();
      const timer = setTimeout(() => child.kill(), 5_000);
      await exited;
      clearTimeout(timer);
    },
  }));
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await floodDownloadBench(), null, 2));
