/**
 * The client end of a daemon's control socket (see control-protocol.ts): requests with ids
 * and their answers, and the event stream after `subscribe`. Connecting fails with a
 * NO_DAEMON error when nothing listens on the socket (or the socket is not the user's).
 */
import { createConnection, type Socket } from 'node:net';
import * as readline from 'node:readline';
import { P2pError } from '../wire/errors.js';
import type { ControlMessage, ControlRequestInput, Hello, NodeState } from './control-protocol.js';

/** A request before it gets its id. */
type Unsent = ControlRequestInput extends infer T ? (T extends unknown ? Omit<T, 'id'> : never) : never;

type Pending = { resolve: (m: ControlMessage) => void; reject: (e: Error) => void };

export class ControlClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(m: ControlMessage) => void>();
  private readonly closeListeners = new Set<() => void>();
  private isClosed = false;

  private constructor(private readonly socket: Socket) {
    const lines = readline.createInterface({ input: socket, crlfDelay: Number.POSITIVE_INFINITY });
    lines.on('line', (l) => this.line(l));
    // readline repeats the socket's errors; 'close' below fails what waits.
    lines.on('error', () => undefined);
    socket.on('close', () => this.closed());
    socket.on('error', () => {
      // 'close' follows and fails every waiting request.
    });
  }

  /** Connects within `ms`; rejects with code NO_DAEMON when no daemon answers there. */
  static connect(path: string, ms = 5000): Promise<ControlClient> {
    return new Promise((resolve, reject) => {
      const s = createConnection(path);
      const timer = setTimeout(() => {
        s.destroy();
        reject(new P2pError('NO_DAEMON', `no answer on ${path} within ${ms} ms`));
      }, ms);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(new ControlClient(s));
      });
      s.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new P2pError('NO_DAEMON', noDaemonMessage(path, e)));
      });
    });
  }

  /** Runs a headless command on the daemon; resolves with its reply (`ok` false when it failed). */
  async command(cmd: string, args: readonly string[]): Promise<Record<string, unknown>> {
    const m = await this.request({ op: 'cmd', cmd, args: [...args] });
    return m.reply ?? { cmd, ok: false, error: m.error ?? 'no reply' };
  }

  /** Starts the event stream; resolves with the daemon's state and (unless `history` is false) recent events. */
  async subscribe(history = true): Promise<Hello> {
    const m = await this.request({ op: 'subscribe', history });
    if (!m.hello) throw new P2pError('BAD_REPLY', m.error ?? 'the daemon did not say hello');
    return m.hello;
  }

  async stabilization(action: 'pause' | 'resume' | 'step' | 'interval', ms?: number): Promise<NodeState> {
    const m = await this.request({ op: 'stabilization', action, ms });
    if (!m.state) throw new P2pError('FAILED', m.error ?? 'no state');
    return m.state;
  }

  /** Every pushed event (lines without an id). */
  onEvent(fn: (m: ControlMessage) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  onClose(fn: () => void): void {
    this.closeListeners.add(fn);
  }

  close(): void {
    this.socket.destroy();
  }

  private request(body: Unsent): Promise<ControlMessage> {
    if (this.isClosed) return Promise.reject(new P2pError('NO_DAEMON', 'the daemon closed the connection'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.write(`${JSON.stringify({ ...body, id })}\n`);
    });
  }

  private line(l: string): void {
    let m: ControlMessage;
    try {
      m = JSON.parse(l) as ControlMessage;
    } catch {
      return; // Not JSON: nothing the protocol sends; skipping it keeps the stream usable.
    }
    const p = m.id === undefined ? undefined : this.pending.get(m.id);
    if (p && m.id !== undefined) {
      this.pending.delete(m.id);
      return p.resolve(m);
    }
    for (const fn of this.listeners) fn(m);
  }

  private closed(): void {
    this.isClosed = true;
    for (const p of this.pending.values()) p.reject(new P2pError('NO_DAEMON', 'the daemon closed the connection'));
    this.pending.clear();
    for (const fn of this.closeListeners) fn();
  }
}

function noDaemonMessage(path: string, e: NodeJS.ErrnoException): string {
  if (e.code === 'ENOENT') return `no daemon is running (no socket at ${path}); start one with \`p2pterm daemon\``;
  if (e.code === 'ECONNREFUSED') return `no daemon answers on ${path} (a stale socket?)`;
  if (e.code === 'EACCES') return `permission denied on ${path}: the daemon belongs to another user`;
  return `cannot reach the daemon on ${path}: ${e.message}`;
}
