/** The options shared by `p2pterm node` and the console, parsed and validated once. */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { resolve } from 'node:path';
import {
  DEFAULT_BACKOFF,
  DEFAULT_BITS,
  DEFAULT_STABILIZE_MS,
  DEFAULT_SUCCESSORS,
  MAX_VNODES,
} from '../core/constants.js';
import type { Routing } from '../core/chord-state.js';
import { rateOption } from './rate-option.js';
import { parseAdvertise } from '../wire/address.js';
import { resolveNetworkKey } from './network-key-option.js';
import { addLogOptions, type LogCliOptions } from './log-options.js';
import { addConfigOption } from './config-file.js';
import { intIn } from './int-option.js';
import { addLimitOptions, type LimitCliOptions } from './limit-options.js';

export { intIn } from './int-option.js';

export interface NodeCliOptions extends LogCliOptions, Partial<LimitCliOptions> {
  host: string;
  port: number;
  advertise?: string;
  join?: string;
  bits: number;
  routing: Routing;
  stabilizeMs: number;
  backoff: number;
  successors: number;
  /** Virtual nodes this process runs on the ring (`--vnodes`, default 1). */
  vnodes: number;
  data?: string;
  dir: string;
  tracker?: string;
  /** The private network's key (from --secret-file, P2PTERM_SECRET or the config), else undefined. */
  networkKey?: Buffer;
  headless: boolean;
  daemon: boolean;
  verbose: boolean;
  /** Bytes/s, 0 or absent: unlimited. */
  maxDown?: number;
  maxUp?: number;
  /** Downloads at once. */
  maxTransfers?: number;
}

export function hostPort(value: string): string {
  if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.\-_]+):\d{1,5}$/.test(value))
    throw new InvalidArgumentError('expected HOST:PORT');
  return value;
}

/** One HOST:PORT or several, comma-separated (tried in order). */
export function hostPorts(value: string): string {
  return value
    .split(',')
    .map((v) => hostPort(v.trim()))
    .join(',');
}

function advertiseValue(value: string): string {
  try {
    parseAdvertise(value);
  } catch {
    throw new InvalidArgumentError('expected HOST, HOST:PORT, [IPv6] or [IPv6]:PORT');
  }
  return value;
}

export function addNodeOptions(cmd: Command, defaultPort: number): Command {
  return addPlaceOptions(addListenOptions(cmd, defaultPort));
}

/** Where the node listens and the ring it joins. */
function addListenOptions(cmd: Command, defaultPort: number): Command {
  return cmd
    .option('--host <host>', 'address to listen on (0.0.0.0 or :: for every interface)', '127.0.0.1')
    .option('--port <port>', 'TCP port to listen on (0 picks a free one)', intIn(0, 65535, '--port'), defaultPort)
    .option(
      '--advertise <host[:port]>',
      'address peers are told and the node id is computed from (default: --host; for a wildcard, the address of the default route)',
      advertiseValue,
    )
    .option(
      '--join <host:port[,host:port…]>',
      'join the ring through this member (several, comma-separated: tried in order until one answers)',
      hostPorts,
    )
    .option('--bits <m>', 'identifier width in bits (1..160)', intIn(1, 160, '--bits'), DEFAULT_BITS)
    .addOption(
      new Option('--routing <mode>', 'chord (finger tables) or naive (successor walk)')
        .choices(['chord', 'naive'])
        .default('chord'),
    )
    .option(
      '--stabilize-ms <ms>',
      'interval between stabilization rounds',
      intIn(10, 3_600_000, '--stabilize-ms'),
      DEFAULT_STABILIZE_MS,
    )
    .option(
      '--backoff <n>',
      'while the ring is quiet, stabilize up to n times less often (1: never)',
      intIn(1, 64, '--backoff'),
      DEFAULT_BACKOFF,
    )
    .option('--successors <r>', 'successor-list length', intIn(1, 64, '--successors'), DEFAULT_SUCCESSORS)
    .option(
      '--vnodes <v>',
      'virtual nodes this process runs on the ring, on one port (ids from "host:port" and "host:port/i")',
      intIn(1, MAX_VNODES - 1, '--vnodes'),
      1,
    );
}

/** Folders, the tracker, and how the process runs. */
function addPlaceOptions(cmd: Command): Command {
  cmd
    .option('--data <dir>', "where the node keeps its own state (default: the user's data directory)")
    .option('--dir <dir>', 'shared/download folder', process.cwd())
    .option('--tracker <host:port>', 'register with this tracker', hostPort)
    .option('--max-down <rate>', 'download limit in bytes/s (500K, 2M; 0: none)', rateOption('--max-down'))
    .option('--max-up <rate>', 'upload limit in bytes/s (500K, 2M; 0: none)', rateOption('--max-up'))
    .option('--max-transfers <n>', 'downloads running at once (default 3)', intIn(1, 64, '--max-transfers'))
    .option('--secret-file <path>', 'join the private network of this secret (see `p2pterm keygen`; or P2PTERM_SECRET)')
    .option('--headless', 'no screen: JSON-lines commands on stdin, replies on stdout', false)
    .option('--daemon', 'with --headless: ignore stdin and run until SIGTERM/SIGINT', false)
    .option('-v, --verbose', 'log debug lines too (--log-level debug)', false);
  return addConfigOption(addLogOptions(addLimitOptions(cmd)));
}

export function normalizeNodeOptions(raw: Record<string, unknown>): NodeCliOptions {
  const o = raw as unknown as NodeCliOptions;
  // `--host [::]` is accepted as well as `--host ::`; the socket wants the bare literal.
  const host = o.host.replace(/^\[(.*)\]$/, '$1');
  const networkKey = resolveNetworkKey(raw.secretFile as string | undefined);
  return { ...o, host, dir: resolve(o.dir), data: o.data ? resolve(o.data) : undefined, networkKey };
}
