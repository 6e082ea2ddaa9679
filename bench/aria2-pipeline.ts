/**
 * The BitTorrent baseline of the transfer benchmark: Debian's aria2 (a C++ client) moving a file
 * from a seeding `aria2c` to a downloading `aria2c` on loopback, with a local HTTP tracker
 * (the bittorrent-tracker package) and a private torrent made by create-torrent. DHT, peer
 * exchange and local peer discovery are off, so the tracker is the only way the peers meet.
 * A download is timed from starting the downloader to its exit: aria2 exits once every piece
 * has been checked against the torrent's SHA-1s and the file is closed.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { Server } from 'bittorrent-tracker';
import createTorrent from 'create-torrent';

/**
 * Options of both aria2c processes. `--file-allocation=none`: the fastest of none, falloc and
 * the default prealloc for aria2 on this machine (1 GiB: 44, 37 and 33 MB/s in one try).
 */
export const ARIA2_OPTIONS = [
  '--no-conf=true',
  '--enable-dht=false',
  '--enable-dht6=false',
  '--enable-peer-exchange=false',
  '--bt-enable-lpd=false',
  '--disable-ipv6=true',
  '--file-allocation=none',
  '--summary-interval=0',
  '--console-log-level=error',
] as const;

/** aria2c's version line, installing Debian's aria2 first when it is missing (root, apt-get). */
export function ensureAria2(): { version: string; installedNow: boolean } {
  const version = aria2Version();
  if (version) return { version, installedNow: false };
  process.stderr.write("bench: aria2c not found; installing Debian's aria2 (apt-get install -y aria2)\n");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'aria2'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  const after = aria2Version();
  if (!after) throw new Error('aria2c is still missing after apt-get install aria2');
  return { version: after, installedNow: true };
}

function aria2Version(): string | null {
  try {
    return execFileSync('aria2c', ['--version'], { encoding: 'utf8' }).split('\n')[0]!.trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** A tracker, a torrent of one file and an aria2c seeding it, all on loopback. */
export class Aria2Swarm {
  private constructor(
    private readonly tracker: Server,
    private readonly seeder: ChildProcess,
    /** The .torrent file. */
    readonly torrent: string,
    /** The file's name inside a download directory. */
    readonly name: string,
  ) {}

  /** Starts a tracker and a seeder of `file` (which stays where it is); `work` holds the torrent. */
  static async start(file: string, work: string): Promise<Aria2Swarm> {
    const tracker = new Server({ udp: false, http: true, ws: false, stats: false });
    tracker.on('warning', (e) => process.stderr.write(`bench: tracker warning: ${e.message}\n`));
    tracker.on('error', (e) => process.stderr.write(`bench: tracker error: ${e.message}\n`));
    await new Promise<void>((r) => tracker.listen(0, '127.0.0.1', r));
    const announce = `http://127.0.0.1:${(tracker.http.address() as { port: number }).port}/announce`;
    const torrent = join(work, `${basename(file)}.torrent`);
    writeFileSync(torrent, await makeTorrent(file, announce));
    const port = await freePort();
    const seen = announced(tracker, port);
    const seeder = spawn(
      'aria2c',
      [
        ...ARIA2_OPTIONS,
        `--dir=${dirname(file)}`,
        '--seed-ratio=0.0',
        '--bt-seed-unverified=true',
        `--listen-port=${port}`,
        torrent,
      ],
      { stdio: 'ignore' },
    );
    await seen;
    return new Aria2Swarm(tracker, seeder, torrent, basename(file));
  }

  /**
   * Downloads the file into `dir` with a fresh aria2c; resolves with the seconds it took.
   * `trace`: run it under strace, writing the sync calls it made (with their files) there.
   */
  async download(dir: string, trace?: string): Promise<number> {
    const args = [...ARIA2_OPTIONS, `--dir=${dir}`, '--seed-time=0', `--listen-port=${await freePort()}`, this.torrent];
    const [cmd, ...argv] = trace
      ? ['strace', '-f', '-y', '-e', `trace=${SYNC_CALLS}`, '-o', trace, 'aria2c', ...args]
      : ['aria2c', ...args];
    const t = performance.now();
    const child = spawn(cmd!, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    const seconds = (performance.now() - t) / 1000;
    if (code !== 0) throw new Error(`aria2c exited with code ${code}: ${stderr.trim().slice(0, 500)}`);
    return seconds;
  }

  /**
   * Whether aria2c makes the downloaded file durable: one traced download into `dir`, and
   * the sync calls strace saw on that file. null when strace is not installed.
   */
  async checkFsync(dir: string, trace: string): Promise<{ fsynced: boolean; calls: string[] } | null> {
    try {
      execFileSync('strace', ['-V'], { stdio: 'ignore' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    await this.download(dir, trace);
    const file = join(dir, this.name);
    const calls = readFileSync(trace, 'utf8')
      .split('\n')
      .filter((l) => l.includes(`<${file}>`) && / = 0$/.test(l))
      .map((l) => /(\w+)\(/.exec(l)?.[1] ?? '?');
    return { fsynced: calls.some((c) => c === 'fsync' || c === 'fdatasync'), calls: [...new Set(calls)] };
  }

  async close(): Promise<void> {
    this.seeder.kill();
    await new Promise<void>((r) => this.tracker.close(() => r()));
  }
}

/** The syscalls that make written data durable. */
const SYNC_CALLS = 'fsync,fdatasync,sync_file_range,syncfs,sync,msync';

function makeTorrent(file: string, announce: string): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    createTorrent(file, { announceList: [[announce]], private: true }, (e, t) => (e ? reject(e) : resolve(t))),
  );
}

/** Resolves once a peer listening on `port` has announced itself to `tracker` (20 s at most). */
function announced(tracker: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the aria2 seeder never announced itself')), 20_000);
    const onStart = (addr: string): void => {
      if (!addr.endsWith(`:${port}`)) return;
      clearTimeout(timer);
      tracker.off('start', onStart);
      resolve();
    };
    tracker.on('start', onStart);
  });
}

/** A TCP port free on loopback right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
