/**
 * `p2pterm tracker [--host H] [--port 7734] [--db FILE]`: runs a tracker until SIGINT/SIGTERM
 * (or the given AbortSignal).
 *
 * Invariants:
 * - stdout gets exactly one line, `{"event":"listening","address":"H:P"}`, once listening;
 * - every log line goes to stderr;
 * - on a signal the tracker stops cleanly (connections closed, peers offline, database
 *   closed) and the returned promise resolves; signal handlers are removed afterwards.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { TrackerLogLevel } from './peer-registry.js';
import { P2PCI_DEFAULT_PORT } from './tracker-constants.js';
import { TrackerServer } from './tracker-server.js';

export interface RunTrackerOptions {
  /** Default '0.0.0.0'. */
  readonly host?: string;
  /** Default 7734; 0 picks a free port. */
  readonly port?: number;
  /** Database file. Default: defaultTrackerDbPath(). */
  readonly db?: string;
  /** Native peers silent longer than this go offline. Default 15 000 ms. */
  readonly livenessMs?: number;
  /** Simultaneous connections per IP address. Default 64. */
  readonly maxConnsPerIp?: number;
  /** A private network's key (see network-secret.ts): only its members are served. */
  readonly networkKey?: Buffer;
  /** Also log debug lines. Default false. */
  readonly verbose?: boolean;
  /** Where log lines go instead of stderr (the CLI's --log-level/--log-file/--quiet). */
  readonly log?: (level: TrackerLogLevel, msg: string) => void;
  /** Stops the tracker when aborted (in addition to SIGINT/SIGTERM). */
  readonly signal?: AbortSignal;
  /** Install SIGINT/SIGTERM handlers. Default true. */
  readonly handleSignals?: boolean;
  /** Default process.stdout. */
  readonly stdout?: Writable;
  /** Default process.stderr. */
  readonly stderr?: Writable;
}

/** `${XDG_DATA_HOME:-~/.local/share}/p2pterm/tracker.db` */
export function defaultTrackerDbPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME?.startsWith('/') ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return join(base, 'p2pterm', 'tracker.db');
}

/** Runs a tracker; resolves after it has stopped. Rejects if it cannot start (port in use...). */
export async function runTracker(opts: RunTrackerOptions = {}): Promise<void> {
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  const log =
    opts.log ??
    ((level: TrackerLogLevel, msg: string): void => {
      if (level !== 'debug' || opts.verbose) stderr.write(`${new Date().toISOString()} ${level} ${msg}\n`);
    });
  const server = new TrackerServer({
    host: opts.host ?? '0.0.0.0',
    port: opts.port ?? P2PCI_DEFAULT_PORT,
    dbPath: opts.db ?? defaultTrackerDbPath(),
    livenessMs: opts.livenessMs,
    maxConnsPerIp: opts.maxConnsPerIp,
    networkKey: opts.networkKey,
    log,
  });
  const address = await server.start();
  stdout.write(JSON.stringify({ event: 'listening', address }) + '\n');
  await untilStopRequested(opts, log);
  await server.stop();
}

function untilStopRequested(
  opts: RunTrackerOptions,
  log: (level: TrackerLogLevel, msg: string) => void,
): Promise<void> {
  return new Promise((resolve) => {
    const signals: NodeJS.Signals[] = opts.handleSignals === false ? [] : ['SIGINT', 'SIGTERM'];
    const stop = (why: string): void => {
      for (const s of signals) process.off(s, onSignal);
      opts.signal?.removeEventListener('abort', onAbort);
      log('info', `stopping (${why})`);
      resolve();
    };
    const onSignal = (s: NodeJS.Signals): void => stop(s);
    const onAbort = (): void => stop('aborted');
    for (const s of signals) process.once(s, onSignal);
    if (opts.signal?.aborted) return stop('aborted');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
