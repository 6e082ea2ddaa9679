/**
 * 1 GiB between processes on loopback, in rounds, all in one run:
 * - plain: a plain two-process pipeline (socket → SHA-256 → file + fsync; plain-pipeline.ts);
 * - single / four: p2pterm, tracker-assisted, from one source and from four;
 * - secret: single, on a private network (every connection PSK TLS, tracker included);
 * - aria2: Debian's aria2, seeder to downloader with a local tracker (aria2-pipeline.ts).
 * Reports MB/s per round and the medians, the ratios between medians (and per round), the
 * p2pterm downloader's peak RSS (VmHWM), and whether aria2 made its file durable.
 *
 * Knobs: BENCH_TRANSFER_BYTES (default 1 GiB), BENCH_TRANSFER_ROUNDS (default 3),
 * BENCH_TRANSFER_MODES (default plain,single,four,secret,aria2), BENCH_P2PTERM_MAIN (the CLI to run).
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARIA2_OPTIONS, Aria2Swarm, ensureAria2 } from './aria2-pipeline.js';
import { plainPipeline } from './plain-pipeline.js';
import { median, settleDisk } from './settle.js';
import {
  cpuSeconds,
  type Headless,
  makeFile,
  peakRssMB,
  round2,
  sha256OfFile,
  sleep,
  startPeer,
  startTracker,
} from './transfer-procs.js';

const MB = 1e6;
/** Size of the file aria2's fsync behaviour is checked on (a traced, untimed download). */
const FSYNC_CHECK_BYTES = 32 * 1024 * 1024;
const MODES = ['plain', 'single', 'four', 'secret', 'aria2'] as const;
type Mode = (typeof MODES)[number];

/** Stops something the benchmark started. */
type Closer = () => Promise<void> | void;

interface Run {
  readonly seconds: number;
  readonly MBps: number;
  readonly peakRssMB?: number;
  /** CPU seconds the p2pterm downloader used for the download. */
  readonly downloaderCpuS?: number;
  /** CPU seconds the serving p2pterm nodes used meanwhile (all of them together). */
  readonly sourcesCpuS?: number;
}

/** What a mode needs to run one round: the file, its hash, and somewhere to work. */
interface Ctx {
  readonly root: string;
  readonly size: number;
  readonly sha: string;
  readonly srcDir: (i: number) => string;
}

export async function transferBench(
  sizeBytes = Number(process.env.BENCH_TRANSFER_BYTES ?? 1024 ** 3),
  rounds = Number(process.env.BENCH_TRANSFER_ROUNDS ?? 3),
): Promise<Record<string, unknown>> {
  const modes = (process.env.BENCH_TRANSFER_MODES ?? MODES.join(',')).split(',').filter(isMode);
  const root = mkdtempSync(join(tmpdir(), 'p2pterm-xfer-'));
  const closers: Closer[] = [];
  try {
    const srcDir = (i: number) => join(root, `src-${i}`);
    for (let i = 0; i < 4; i++) mkdirSync(srcDir(i));
    const ctx: Ctx = { root, size: sizeBytes, sha: makeFile(join(srcDir(0), 'big.bin'), sizeBytes), srcDir };
    for (let i = 1; i < 4; i++) linkSync(join(srcDir(0), 'big.bin'), join(srcDir(i), 'big.bin'));
    const runners: Partial<Record<Mode, () => Promise<Run>>> = { plain: () => plain(ctx) };
    if (modes.includes('single') || modes.includes('four')) {
      const p2p = await p2ptermRunner(ctx, closers);
      Object.assign(runners, { single: () => p2p(1), four: () => p2p(4) });
    }
    if (modes.includes('secret')) {
      const secret = join(root, 'network.secret');
      writeFileSync(secret, randomBytes(32).toString('hex'), { mode: 0o600 });
      const p2p = await p2ptermRunner(ctx, closers, ['--secret-file', secret], 1);
      runners.secret = () => p2p(1);
    }
    const aria2 = modes.includes('aria2') ? await aria2Runner(ctx, closers) : null;
    if (aria2) runners.aria2 = aria2.run;
    // Rounds of every mode: this machine's disk and CPU are noisy, so each configuration is
    // measured in every round and the medians are compared.
    const all: Partial<Record<Mode, Run>>[] = [];
    for (let r = 0; r < rounds; r++) {
      const round: Partial<Record<Mode, Run>> = {};
      for (const m of modes) {
        process.stderr.write(`bench: transfer round ${r + 1}/${rounds}: ${m}\n`);
        round[m] = await runners[m]!();
      }
      all.push(round);
    }
    return { transfer: summary(sizeBytes, all, aria2?.info ?? null) };
  } finally {
    for (const close of closers.reverse()) await close();
    rmSync(root, { recursive: true, force: true });
  }
}

function isMode(m: string): m is Mode {
  return (MODES as readonly string[]).includes(m);
}

async function plain(ctx: Ctx): Promise<Run> {
  const out = join(ctx.root, 'plain.out');
  const r = await plainPipeline(join(ctx.srcDir(0), 'big.bin'), out);
  settleDisk(out);
  if (r.sha256 !== ctx.sha) throw new Error('plain pipeline: hash mismatch');
  return timing(ctx.size, r.seconds);
}

/**
 * A tracker and `count` sharing p2pterm nodes (all started with `extra`, e.g. a network secret);
 * the runner downloads from the first `sources`.
 */
async function p2ptermRunner(
  ctx: Ctx,
  closers: Closer[],
  extra: string[] = [],
  count = 4,
): Promise<(sources: number) => Promise<Run>> {
  const tag = extra.length > 0 ? 'x' : '';
  const tracker = await startTracker(join(ctx.root, `t${tag}.db`), extra);
  closers.push(() => void tracker.child.kill());
  const node = async (label: string, dir: string): Promise<Headless> => {
    const p = await startPeer(dir, join(ctx.root, `data-${tag}${label}`), tracker.address, extra);
    closers.push(() => void p.child.kill());
    return p;
  };
  const peers: Headless[] = [];
  for (let i = 0; i < count; i++) peers.push(await node(`src-${i}`, ctx.srcDir(i)));
  // Each source hashes its copy once (announcing it); wait until all are offered.
  const probe = await node('probe', join(ctx.root, `probe${tag}`));
  await waitForSources(probe, count);
  probe.child.kill();
  let runs = 0;
  return async (sources) => {
    // Only `sources` peers stay shared for this run.
    for (let i = 0; i < count; i++)
      await peers[i]!.cmd(i < sources ? `share ${join(ctx.srcDir(i), 'big.bin')}` : 'unshare big.bin');
    await sleep(500);
    const label = `dl-${tag}${runs++}`;
    const dl = await node(label, join(ctx.root, label));
    const t = performance.now();
    const cpu = cpuSeconds(dl.child.pid!);
    const servingCpu = () => peers.slice(0, sources).reduce((sum, p) => sum + cpuSeconds(p.child.pid!), 0);
    const cpuOfSources = servingCpu();
    const r = await dl.cmd('get big.bin');
    const seconds = (performance.now() - t) / 1000;
    const downloaderCpuS = round2(cpuSeconds(dl.child.pid!) - cpu);
    const sourcesCpuS = round2(servingCpu() - cpuOfSources);
    if (!r.ok || r.sha256 !== ctx.sha) throw new Error(`${label}: ${JSON.stringify(r)}`);
    const rss = peakRssMB(dl.child.pid!);
    dl.child.kill();
    settleDisk(join(ctx.root, label));
    return { ...timing(ctx.size, seconds), peakRssMB: rss, downloaderCpuS, sourcesCpuS };
  };
}

async function waitForSources(probe: Headless, want: number): Promise<void> {
  for (let tries = 0; tries <= 600; tries++) {
    const r = await probe.cmd('search big.bin');
    const match = r.matches?.find((m) => m.name === 'big.bin');
    if ((match?.sources.filter((s) => s.online).length ?? 0) === want) return;
    await sleep(500);
  }
  throw new Error('sources never announced');
}

interface Aria2Info {
  readonly version: string;
  readonly installedNow: boolean;
  readonly options: string;
  readonly fsynced: boolean | null;
  readonly fsyncCheck: string;
}

/** aria2 installed if needed, its fsync behaviour checked, and a seeder of the test file. */
async function aria2Runner(ctx: Ctx, closers: Closer[]): Promise<{ run: () => Promise<Run>; info: Aria2Info }> {
  const { version, installedNow } = ensureAria2();
  const check = join(ctx.root, 'aria2-check');
  mkdirSync(join(check, 'seed'), { recursive: true });
  makeFile(join(check, 'seed', 'check.bin'), FSYNC_CHECK_BYTES);
  const small = await Aria2Swarm.start(join(check, 'seed', 'check.bin'), check);
  const fsync = await small.checkFsync(join(check, 'dl'), join(check, 'strace.txt')).finally(() => small.close());
  // aria2 gets a hard link of its own: a seeding aria2c may write next to the file it seeds.
  mkdirSync(join(ctx.root, 'aria2-seed'));
  linkSync(join(ctx.srcDir(0), 'big.bin'), join(ctx.root, 'aria2-seed', 'big.bin'));
  const swarm = await Aria2Swarm.start(join(ctx.root, 'aria2-seed', 'big.bin'), ctx.root);
  closers.push(() => swarm.close());
  let runs = 0;
  const run = async (): Promise<Run> => {
    const dir = join(ctx.root, `aria2-dl-${runs++}`);
    const seconds = await swarm.download(dir);
    if (sha256OfFile(join(dir, swarm.name)) !== ctx.sha) throw new Error('aria2: hash mismatch');
    settleDisk(dir);
    return timing(ctx.size, seconds);
  };
  const how = fsync
    ? `strace -f -e trace=fsync,fdatasync,sync_file_range,syncfs,sync,msync on one ${FSYNC_CHECK_BYTES / 2 ** 20} MiB download with the same options: ${fsync.calls.join(', ') || 'no sync call'} on the downloaded file`
    : 'not checked: strace is not installed';
  const info = {
    version,
    installedNow,
    options: ARIA2_OPTIONS.join(' '),
    fsynced: fsync?.fsynced ?? null,
    fsyncCheck: how,
  };
  return { run, info };
}

function timing(bytes: number, seconds: number): Run {
  return { seconds: round2(seconds), MBps: round2(bytes / MB / seconds) };
}

function summary(bytes: number, all: Partial<Record<Mode, Run>>[], aria2: Aria2Info | null): Record<string, unknown> {
  const med = (m: Mode): number | null => (all[0]?.[m] ? median(all.map((r) => r[m]!.MBps)) : null);
  const ratio = (a: Mode, b: Mode): number | null => {
    const [x, y] = [med(a), med(b)];
    return x !== null && y !== null ? round2(x / y) : null;
  };
  const perRound = (a: Mode, b: Mode): number[] | null =>
    all[0]?.[a] && all[0]?.[b] ? all.map((r) => round2(r[a]!.MBps / r[b]!.MBps)) : null;
  const rss = all
    .flatMap((r) => [r.single?.peakRssMB, r.four?.peakRssMB, r.secret?.peakRssMB])
    .filter((x) => x !== undefined);
  const figures = {
    singleVsPlain: ratio('single', 'plain'),
    singleVsAria2: ratio('single', 'aria2'),
    fourVsSingle: ratio('four', 'single'),
    secretVsSingle: ratio('secret', 'single'),
    peakRssMB: rss.length > 0 ? Math.max(...rss) : null,
  };
  return {
    bytes,
    note: 'MB/s per round; *MBps are medians of rounds; ratios are between medians (perRound: within each round)',
    rounds: all,
    plainBaselineMBps: med('plain'),
    p2ptermSingleSourceMBps: med('single'),
    p2ptermFourSourcesMBps: med('four'),
    p2ptermSecretMBps: med('secret'),
    aria2MBps: med('aria2'),
    ...figures,
    perRound: {
      singleVsPlain: perRound('single', 'plain'),
      singleVsAria2: perRound('single', 'aria2'),
      fourVsSingle: perRound('four', 'single'),
      secretVsSingle: perRound('secret', 'single'),
    },
    aria2,
    targets: {
      singleVsPlainAtLeast: 0.9,
      singleVsAria2AtLeast: 1,
      fourVsSingleAtLeast: 1,
      secretVsSingleAtLeast: 0.8,
      peakRssMBBelow: 200,
    },
    met: {
      singleVsPlain: figures.singleVsPlain === null ? null : figures.singleVsPlain >= 0.9,
      singleVsAria2: figures.singleVsAria2 === null ? null : figures.singleVsAria2 >= 1,
      fourVsSingle: figures.fourVsSingle === null ? null : figures.fourVsSingle >= 1,
      secretVsSingle: figures.secretVsSingle === null ? null : figures.secretVsSingle >= 0.8,
      peakRss: figures.peakRssMB === null ? null : figures.peakRssMB < 200,
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await transferBench(), null, 2));
