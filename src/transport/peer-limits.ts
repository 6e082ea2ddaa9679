/**
 * Per-peer limits at a node's door: connections per remote address and an idle bound on
 * inbound connections. A refusal is logged at most once a minute per address, so a flood of
 * refused connections cannot flood the log either.
 */
import type { Socket } from 'node:net';
import type { LogFn } from '../core/log.js';

export interface PeerLimits {
  /**
   * Inbound connections from one IP address at once (default 64). Loopback is exempt unless
   * `limitLoopback`: rings of many nodes on one host all connect from it.
   */
  readonly maxConnsPerAddress?: number;
  readonly limitLoopback?: boolean;
  /** An inbound connection silent this long is closed, in ms (default 10 min; 0: never). */
  readonly idleMs?: number;
}

export const DEFAULT_MAX_CONNS_PER_ADDRESS = 64;
export const DEFAULT_IDLE_MS = 10 * 60_000;
/** One log line per address and minute at most. */
const LOG_EVERY_MS = 60_000;

/** Counts inbound connections per address and closes the excess and the idle. */
export class PeerDoor {
  private readonly perAddress = new Map<string, number>();
  private readonly lastLogged = new Map<string, number>();
  private readonly maxConns: number;
  private readonly idleMs: number;
  private readonly limitLoopback: boolean;

  constructor(
    limits: PeerLimits,
    private readonly log: LogFn,
  ) {
    this.maxConns = limits.maxConnsPerAddress ?? DEFAULT_MAX_CONNS_PER_ADDRESS;
    this.idleMs = limits.idleMs ?? DEFAULT_IDLE_MS;
    this.limitLoopback = limits.limitLoopback ?? false;
  }

  /** Admits `socket` (counting it until it closes), or destroys it and returns false. */
  admit(socket: Socket): boolean {
    const ip = socket.remoteAddress ?? '?';
    const n = this.perAddress.get(ip) ?? 0;
    if (n >= this.maxConns && (this.limitLoopback || !isLoopback(ip))) {
      this.logLimited(ip, `refusing a connection from ${ip}: it already has ${n} (the limit per address)`);
      socket.destroy();
      return false;
    }
    this.perAddress.set(ip, n + 1);
    socket.once('close', () => {
      const left = (this.perAddress.get(ip) ?? 1) - 1;
      if (left <= 0) this.perAddress.delete(ip);
      else this.perAddress.set(ip, left);
    });
    this.watchIdle(socket);
    return true;
  }

  /**
   * Closes `socket` once it is idle for the bound. A TLS socket needs its own watch: it reads
   * the connection itself, so the raw socket under it sees no traffic (call setTimeout(0) on that).
   */
  watchIdle(socket: Socket): void {
    if (this.idleMs <= 0) return;
    socket.setTimeout(this.idleMs);
    socket.once('timeout', () => {
      this.log('debug', 'tcp', `closing an idle connection from ${socket.remoteAddress}:${socket.remotePort}`);
      socket.destroy();
    });
  }

  /** Connections now open from `ip`. */
  connectionsFrom(ip: string): number {
    return this.perAddress.get(ip) ?? 0;
  }

  private logLimited(key: string, message: string): void {
    const now = Date.now();
    if (now - (this.lastLogged.get(key) ?? Number.NEGATIVE_INFINITY) < LOG_EVERY_MS) return;
    if (this.lastLogged.size > 4096) this.lastLogged.clear(); // bounded: at worst a line more
    this.lastLogged.set(key, now);
    this.log('warn', 'tcp', message);
  }
}

function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}
