/**
 * 1 GiB between processes on loopback: p2pterm (tracker-assisted, one source and four
 * sources) against a plain Node baseline in the same run (socket → SHA-256 → file + fsync).
 * Reports MB/s per round and the medians, the ratios, and the downloader's peak RSS (VmHWM).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  fsyncSync,
  readFileSync,
  rmSync,
  writeSync,
  linkSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { median, settleDisk } from './settle.js';

const MAIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const MB = 1e6;

interface Headless {
  child: ChildProcess;
  address: string;
  cmd(line: string, ms?: number): Promise<Record<string, any>>;
}

function startHeadless(args: string[]): Promise<Headless> {
  const child = spawn(process.execPath, [MAIN, ...args, '--headless'], {
    stdio: ['pipe', 'pipe', process.env.BENCH_DEBUG ? 'inherit' : 'ignore'],
  });
  const waiting: ((o: Record<string, any>) => void)[] = [];
  let onListen: ((a: string) => void) | null = null;
  readline.createInterface({ input: child.stdout! }).on('line', (l) => {
    const o = JSON.parse(l);
    if (o.event === 'listening') onListen?.(o.address);
    else if (o.cmd) waiting.shift()?.(o);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('node did not start')), 20_000);
    onListen = (address) => {
      clearTimeout(timer);
      resolve({
        child,
        address,
        cmd: (line, ms = 600_000) =>
          new Promise((res, rej) => {
            const t = setTimeout(() => rej(new Error(`timeout: ${line}`)), ms);
            waiting.push((o) => (clearTimeout(t), res(o)));
            child.stdin!.write(line + '\n');
          }),
      });
    };
  });
}

function startTracker(db: string): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn(process.execPath, [MAIN, 'tracker', '--host', '127.0.0.1', '--port', '0', '--db', db], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return new Promise((resolve) => {
    readline
      .createInterface({ input: child.stdout! })
      .once('line', (l) => resolve({ child, address: JSON.parse(l).address }));
  });
}

function peakRssMB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : -1;
}

function makeFile(path: string, bytes: number): string {
  const fd = openSync(path, 'w');
  const hash = createHash('sha256');
  const block = Buffer.alloc(16 * 1024 * 1024);
  for (let done = 0; done < bytes; done += block.length) {
    randomFillSync(block);
    const part = block.subarray(0, Math.min(block.length, bytes - done));
    writeSync(fd, part);
    hash.update(part);
  }
  fsyncSync(fd);
  closeSync(fd);
  return hash.digest('hex');
}

/**
 * The plain baseline: a sender process streams the file (createReadStream → socket), this
 * process receives, hashes, writes and fsyncs, on one thread. Two processes, like p2pterm's.
 */
async function plainBaseline(src: string, out: string): Promise<{ seconds: number; sha256: string }> {
  const sender = spawn(process.execPath, ['-e', PLAIN_SENDER, src], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve) => sender.stdout!.once('data', (d) => resolve(Number(String(d)))));
    const t = performance.now();
    const hash = createHash('sha256');
    const fd = openSync(out, 'w');
    await new Promise<void>((resolve, reject) => {
      const sock = connect({ host: '127.0.0.1', port });
      sock.on('data', (d: Buffer) => {
        hash.update(d);
        writeSync(fd, d);
      });
      sock.on('end', resolve);
      sock.on('error', reject);
    });
    fsyncSync(fd);
    closeSync(fd);
    return { seconds: (performance.now() - t) / 1000, sha256: hash.digest('hex') };
  } finally {
    sender.kill();
  }
}

const PLAIN_SENDER = `
const net = require('node:net'), fs = require('node:fs');
const server = net.createServer((c) => fs.createReadStream(process.argv[1]).pipe(c));
server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;

export async function transferBench(
  sizeBytes = Number(process.env.BENCH_TRANSFER_BYTES ?? 1024 ** 3),
  rounds = Number(process.env.BENCH_TRANSFER_ROUNDS ?? 3),
): Promise<Record<string, unknown>> {
  const root = mkdtempSync(join(tmpdir(), 'p2pterm-xfer-'));
  const procs: ChildProcess[] = [];
  try {
    const srcDir = (i: number) => join(root, `src-${i}`);
    for (let i = 0; i < 4; i++) mkdirSync(srcDir(i));
    const sha = makeFile(join(srcDir(0), 'big.bin'), sizeBytes);
    for (let i = 1; i < 4; i++) linkSync(join(srcDir(0), 'big.bin'), join(srcDir(i), 'big.bin'));

    const tracker = await startTracker(join(root, 't.db'));
    procs.push(tracker.child);
    const peers: Headless[] = [];
    for (let i = 0; i < 4; i++) {
      const p = await startHeadless([
        'node',
        '--port',
        '0',
        '--bits',
        '32',
        '--dir',
        srcDir(i),
        '--data',
        join(root, `data-src-${i}`),
        '--tracker',
        tracker.address,
      ]);
      procs.push(p.child);
      peers.push(p);
    }
    // Each source hashes its copy once (announcing it); wait until all four are offered.
    const probe = await startHeadless([
      'node',
      '--port',
      '0',
      '--bits',
      '32',
      '--dir',
      join(root, 'probe'),
      '--data',
      join(root, 'data-probe'),
      '--tracker',
      tracker.address,
    ]);
    procs.push(probe.child);
    for (let tries = 0; ; tries++) {
      const r = await probe.cmd('search big.bin');
      const n =
        r.matches
          ?.find((m: { name: string }) => m.name === 'big.bin')
          ?.sources.filter((s: { online: boolean }) => s.online).length ?? 0;
      if (n === 4) break;
      if (tries > 600) throw new Error('sources never announced');
      await new Promise((r) => setTimeout(r, 500));
    }
    probe.child.kill();

    const plain = async () => {
      const out = join(root, 'plain.out');
      const r = await plainBaseline(join(srcDir(0), 'big.bin'), out);
      settleDisk(out);
      if (r.sha256 !== sha) throw new Error('baseline hash mismatch');
      return { seconds: round(r.seconds), MBps: round(sizeBytes / MB / r.seconds) };
    };
    let runs = 0;
    const p2p = async (sources: number) => {
      // Only `sources` peers stay shared for this run.
      for (let i = 0; i < 4; i++)
        await peers[i]!.cmd(i < sources ? 'share ' + join(srcDir(i), 'big.bin') : 'unshare big.bin');
      await new Promise((r) => setTimeout(r, 500));
      const label = `dl-${runs++}`;
      const dl = await startHeadless([
        'node',
        '--port',
        '0',
        '--bits',
        '32',
        '--dir',
        join(root, label),
        '--data',
        join(root, `data-${label}`),
        '--tracker',
        tracker.address,
      ]);
      procs.push(dl.child);
      const t = performance.now();
      const r = await dl.cmd('get big.bin');
      const seconds = (performance.now() - t) / 1000;
      if (!r.ok || r.sha256 !== sha) throw new Error(`${label}: ${JSON.stringify(r)}`);
      const rss = peakRssMB(dl.child.pid!);
      dl.child.kill();
      settleDisk(join(root, label));
      return { seconds: round(seconds), MBps: round(sizeBytes / MB / seconds), peakRssMB: rss };
    };

    // Rounds of (plain, one source, four sources): this machine's disk and CPU are noisy, so
    // each configuration is measured in every round and the medians are compared.
    const all: {
      plain: { MBps: number };
      single: { MBps: number; peakRssMB: number };
      four: { MBps: number; peakRssMB: number };
    }[] = [];
    for (let i = 0; i < rounds; i++) all.push({ plain: await plain(), single: await p2p(1), four: await p2p(4) });
    const plainMBps = median(all.map((r) => r.plain.MBps));
    const singleMBps = median(all.map((r) => r.single.MBps));
    const fourMBps = median(all.map((r) => r.four.MBps));
    return {
      transfer: {
        bytes: sizeBytes,
        rounds: all,
        plainBaselineMBps: plainMBps,
        p2ptermSingleSourceMBps: singleMBps,
        p2ptermFourSourcesMBps: fourMBps,
        peakRssMB: Math.max(...all.flatMap((r) => [r.single.peakRssMB, r.four.peakRssMB])),
        singleVsPlain: round(singleMBps / plainMBps),
        singleVsPlainPerRound: all.map((r) => round(r.single.MBps / r.plain.MBps)),
        fourVsSingle: round(fourMBps / singleMBps),
        targets: { singleVsPlainAtLeast: 1.3, fourVsSingleAtLeast: 1, peakRssMBBelow: 200 },
      },
    };
  } finally {
    for (const p of procs) p.kill();
    rmSync(root, { recursive: true, force: true });
  }
}

const round = (x: number) => Math.round(x * 100) / 100;

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await transferBench(), null, 2));
