/**
 * Per-peer limits at a node's door: connections per remote address, and the bounds on idle
 * and stalled connections (applied by the transport's sweep, see TcpConnection.stalled). A
 * refusal is logged at most once a minute per address, so a flood of refused connections
 * cannot flood the log either.
 */
import type { Socket } from 'node:net';
import type { LimitLog } from '../core/limit-log.js';
import type { RequestLimits } from './peer-ledger.js';

export interface PeerLimits extends RequestLimits {
  /**
   * Inbound connections from one IP address at once (default 64). Loopback is exempt unless
   * `limitLoopback`: rings of many nodes on one host all connect from it.
   */
  readonly maxConnsPerAddress?: number;
  readonly limitLoopback?: boolean;
  /**
   * An inbound connection that sent nothing this long, with nothing in service or being
   * written to it, is closed, in ms (default 10 min; 0: never).
   */
  readonly idleMs?: number;
  /** A connection that sent part of a frame (or hello) and then nothing this long is closed, in ms (default 30 s; 0: never). */
  readonly slowFrameMs?: number;
}

export const DEFAULT_MAX_CONNS_PER_ADDRESS = 64;
export const DEFAULT_IDLE_MS = 10 * 60_000;
export const DEFAULT_SLOW_FRAME_MS = 30_000;

/** Counts inbound connections per address and closes the excess. */
export class PeerDoor {
  private readonly perAddress = new Map<string, number>();
  private readonly maxConns: number;
  readonly idleMs: number;
  readonly slowFrameMs: number;
  private readonly limitLoopback: boolean;

  constructor(
    limits: PeerLimits,
    private readonly limitLog: LimitLog,
  ) {
    this.maxConns = limits.maxConnsPerAddress ?? DEFAULT_MAX_CONNS_PER_ADDRESS;
    this.idleMs = limits.idleMs ?? DEFAULT_IDLE_MS;
    this.slowFrameMs = limits.slowFrameMs ?? DEFAULT_SLOW_FRAME_MS;
    this.limitLoopback = limits.limitLoopback ?? false;
  }

  /** Admits `socket` (counting it until it closes), or destroys it and returns false. */
  admit(socket: Socket): boolean {
    const ip = socket.remoteAddress ?? '?';
    const n = this.perAddress.get(ip) ?? 0;
    if (this.maxConns > 0 && n >= this.maxConns && (this.limitLoopback || !isLoopback(ip))) {
      this.limitLog.note(
        ip,
        'connections',
        `refusing a connection from ${ip}: it already has ${n} (the limit per address)`,
        'warn',
        'tcp',
      );
      socket.destroy();
      return false;
    }
    this.perAddress.set(ip, n + 1);
    socket.once('close', () => {
      const left = (this.perAddress.get(ip) ?? 1) - 1;
      if (left <= 0) this.perAddress.delete(ip);
      else this.perAddress.set(ip, left);
    });
    return true;
  }

  /**
   * Closes `socket` once it is idle (no traffic either way) for the bound: for connections
   * handed to another protocol, which the node's own sweep does not see.
   */
  watchIdle(socket: Socket): void {
    if (this.idleMs <= 0) return;
    socket.setTimeout(this.idleMs);
    socket.once('timeout', () => {
      this.limitLog.note(
        socket.remoteAddress ?? '?',
        'idle',
        `closing an idle connection from ${socket.remoteAddress}`,
        'debug',
        'tcp',
      );
      socket.destroy();
    });
  }

  /** Connections now open from `ip`. */
  connectionsFrom(ip: string): number {
    return this.perAddress.get(ip) ?? 0;
  }

  /** How often the transport looks for idle and stalled connections, in ms (0: never). */
  sweepEveryMs(): number {
    const bounds = [this.idleMs, this.slowFrameMs].filter((ms) => ms > 0);
    // Half the shorter bound: a connection is closed at most 1.5 bounds after it went quiet.
    return bounds.length ? Math.max(10, Math.min(...bounds) / 2) : 0;
  }
}

function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}
