/** The per-peer limit flags of a node, and what they become for the transport and the store. */
import { type Command, InvalidArgumentError } from 'commander';
import {
  DEFAULT_MAX_BYTES_IN_FLIGHT,
  DEFAULT_MAX_OUTSTANDING,
  DEFAULT_REQUESTS_PER_SECOND,
} from '../transport/peer-ledger.js';
import {
  DEFAULT_IDLE_MS,
  DEFAULT_MAX_CONNS_PER_ADDRESS,
  DEFAULT_SLOW_FRAME_MS,
  type PeerLimits,
} from '../transport/peer-limits.js';
import { DEFAULT_STORE_QUOTA_BYTES } from '../store/store-quota.js';
import { parseRate } from '../tui/rate-text.js';
import { intIn } from './int-option.js';

export interface LimitCliOptions {
  maxConnsPerIp: number;
  peerRate: number;
  peerOutstanding: number;
  peerInFlight: number;
  peerQuota: number;
  idleTimeout: number;
  slowFrameTimeout: number;
}

/** A byte count such as `64M`, `16G` or `0`. */
function bytesOption(what: string) {
  return (value: string): number => {
    try {
      return parseRate(value);
    } catch {
      throw new InvalidArgumentError(`${what} takes a byte count, e.g. 64M, 16G, 0 for no limit`);
    }
  };
}

export function addLimitOptions(cmd: Command): Command {
  return cmd
    .option(
      '--max-conns-per-ip <n>',
      'inbound connections from one IP address at once, loopback exempt (0: no limit)',
      intIn(0, 1_000_000, '--max-conns-per-ip'),
      DEFAULT_MAX_CONNS_PER_ADDRESS,
    )
    .option(
      '--peer-rate <n>',
      'requests a second one peer may send; over it: BUSY (0: no limit)',
      intIn(0, 10_000_000, '--peer-rate'),
      DEFAULT_REQUESTS_PER_SECOND,
    )
    .option(
      '--peer-outstanding <n>',
      'requests of one peer in service at once; over it: BUSY (0: no limit)',
      intIn(0, 1_000_000, '--peer-outstanding'),
      DEFAULT_MAX_OUTSTANDING,
    )
    .option(
      '--peer-in-flight <bytes>',
      'request and reply bytes of one peer not yet finished; over it: BUSY (64M; 0: no limit)',
      bytesOption('--peer-in-flight'),
      DEFAULT_MAX_BYTES_IN_FLIGHT,
    )
    .option(
      '--peer-quota <bytes>',
      'bytes one peer may store on this node through the ring store; over it: QUOTA (16G; 0: no limit)',
      bytesOption('--peer-quota'),
      DEFAULT_STORE_QUOTA_BYTES,
    )
    .option(
      '--idle-timeout <ms>',
      'close an inbound connection silent this long with nothing in service (0: never)',
      intIn(0, 86_400_000, '--idle-timeout'),
      DEFAULT_IDLE_MS,
    )
    .option(
      '--slow-frame-timeout <ms>',
      'close a connection that sent part of a message, then nothing, this long (0: never)',
      intIn(0, 86_400_000, '--slow-frame-timeout'),
      DEFAULT_SLOW_FRAME_MS,
    );
}

/** The transport's per-peer limits from the flags. */
export function peerLimitsOf(o: Partial<LimitCliOptions>): PeerLimits {
  return {
    maxConnsPerAddress: o.maxConnsPerIp,
    requestsPerSecond: o.peerRate,
    maxOutstanding: o.peerOutstanding,
    maxBytesInFlight: o.peerInFlight,
    idleMs: o.idleTimeout,
    slowFrameMs: o.slowFrameTimeout,
  };
}
