/**
 * Processes the transfer benchmark drives: p2pterm nodes in headless mode (JSON lines on
 * stdin/stdout), the p2pterm tracker, and a test file with its SHA-256.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import * as readline from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The CLI the benchmark runs: the build (`npm run bench` builds first), or BENCH_P2PTERM_MAIN. */
const MAIN = process.env.BENCH_P2PTERM_MAIN ?? fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

/** One reply of the headless driver (only the fields the benchmark reads are typed). */
export interface Reply {
  readonly cmd?: string;
  readonly ok?: boolean;
  readonly sha256?: string;
  readonly error?: unknown;
  readonly matches?: readonly { name: string; sources: readonly { online: boolean }[] }[];
}

export interface Headless {
  readonly child: ChildProcess;
  readonly address: string;
  cmd(line: string, ms?: number): Promise<Reply>;
}

/** Starts `p2pterm node --headless` with `args`; resolves once it listens. */
export function startHeadless(args: string[]): Promise<Headless> {
  const child = spawn(process.execPath, [MAIN, ...args, '--headless'], {
    stdio: ['pipe', 'pipe', process.env.BENCH_DEBUG ? 'inherit' : 'ignore'],
  });
  const waiting: ((o: Reply) => void)[] = [];
  let onListen: ((a: string) => void) | null = null;
  readline.createInterface({ input: child.stdout! }).on('line', (l) => {
    const o = JSON.parse(l) as Reply & { event?: string; address?: string };
    if (o.event === 'listening') onListen?.(o.address ?? '');
    else if (o.cmd) waiting.shift()?.(o);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('node did not start')), 20_000);
    onListen = (address) => {
      clearTimeout(timer);
      resolve({ child, address, cmd: (line, ms = 600_000) => command(child, waiting, line, ms) });
    };
  });
}

function command(child: ChildProcess, waiting: ((o: Reply) => void)[], line: string, ms: number): Promise<Reply> {
  return new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error(`timeout: ${line}`)), ms);
    waiting.push((o) => {
      clearTimeout(t);
      res(o);
    });
    child.stdin!.write(`${line}\n`);
  });
}

/** A node sharing `dir` (data in `data`), registered with `tracker`. */
export function startPeer(dir: string, data: string, tracker: string, extra: string[] = []): Promise<Headless> {
  return startHeadless([
    'node',
    '--port',
    '0',
    '--bits',
    '32',
    '--dir',
    dir,
    '--data',
    data,
    '--tracker',
    tracker,
    ...extra,
  ]);
}

/** `p2pterm tracker` on a free loopback port. */
export function startTracker(db: string, extra: string[] = []): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn(process.execPath, [MAIN, 'tracker', '--host', '127.0.0.1', '--port', '0', '--db', db, ...extra], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return new Promise((resolve) => {
    readline
      .createInterface({ input: child.stdout! })
      .once('line', (l) => resolve({ child, address: (JSON.parse(l) as { address: string }).address }));
  });
}

/** Peak resident set of a live process (VmHWM), in MB. */
export function peakRssMB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : -1;
}

/** CPU time (user + system) a live process has used, in seconds. */
export function cpuSeconds(pid: number): number {
  // Fields 14 and 15 of /proc/PID/stat, counted after the command name (which may hold spaces).
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Linux's USER_HZ: the unit of the times in /proc/PID/stat. */
const CLOCK_TICKS = 100;

/** Writes `bytes` random bytes to `path`, fsynced; returns their SHA-256 hex. */
export function makeFile(path: string, bytes: number): string {
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

/** SHA-256 hex of a file, read in 16 MiB blocks. */
export function sha256OfFile(path: string): string {
  const fd = openSync(path, 'r');
  const hash = createHash('sha256');
  const block = Buffer.allocUnsafe(16 * 1024 * 1024);
  try {
    for (let n = readSync(fd, block); n > 0; n = readSync(fd, block)) hash.update(block.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const round2 = (x: number): number => Math.round(x * 100) / 100;
