/**
 * The daemon's end of the control socket (see control-protocol.ts): a Unix socket, 0600, that
 * runs headless commands, streams bus events with the node's state, and drives stabilization.
 * A client that reads too slowly is dropped rather than let the daemon's memory grow.
 */
import { existsSync, unlinkSync, chmodSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import * as readline from 'node:readline';
import type { BusEventName } from '../bus/events.js';
import type { CommandFn } from '../commands/command-fn.js';
import type { ChordNode } from '../dht/chord-node.js';
import { P2pError } from '../wire/errors.js';
import { type ControlRequest, type NodeState, requestSchema } from './control-protocol.js';
import { prepareSocketDir } from './control-socket-path.js';
import type { EventHistory } from './event-history.js';
import { execute } from './headless.js';

export interface ControlServerOptions {
  readonly path: string;
  readonly node: ChordNode;
  /** Read on every command: services may add commands after the server started. */
  readonly commands: Record<string, CommandFn>;
  readonly history: EventHistory;
}

/** Past this many unsent bytes a subscriber is dropped. */
const MAX_BACKLOG = 16 * 1024 * 1024;

/** Events after which the node's state is sent along (the panes read it when they hear them). */
function changesState(name: BusEventName): boolean {
  return (
    name.startsWith('node:') || name.startsWith('ring:') || name === 'finger:updated' || name === 'stabilize:round'
  );
}

export class ControlServer {
  private server: Server | null = null;
  private readonly subscribers = new Set<Socket>();
  private readonly sockets = new Set<Socket>();
  private stateCache: NodeState | null = null;
  private offBus: (() => void) | null = null;

  constructor(private readonly o: ControlServerOptions) {}

  get clients(): number {
    return this.sockets.size;
  }

  async start(): Promise<void> {
    prepareSocketDir(this.o.path);
    await removeStaleSocket(this.o.path);
    const server = createServer((s) => this.accept(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.path, () => resolve());
    });
    chmodSync(this.o.path, 0o600);
    server.on('error', (e) => this.log('warn', `control socket: ${e.message}`));
    this.server = server;
    this.offBus = this.o.node.bus.onAny((name, payload) => this.broadcast(name, payload));
  }

  async close(): Promise<void> {
    this.offBus?.();
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((r) => server.close(() => r()));
    // The server removes its socket file on close; this covers a close that did not.
    if (existsSync(this.o.path)) unlinkSync(this.o.path);
  }

  private accept(s: Socket): void {
    this.sockets.add(s);
    s.on('error', (e) => this.log('debug', `control client: ${e.message}`));
    s.on('close', () => {
      this.sockets.delete(s);
      this.subscribers.delete(s);
    });
    let chain = Promise.resolve();
    const lines = readline.createInterface({ input: s, crlfDelay: Number.POSITIVE_INFINITY });
    lines.on('line', (line) => {
      chain = chain.then(() => this.handle(s, line));
    });
    // readline repeats the socket's errors (a console that hung up: ECONNRESET); the socket's handler logs them.
    lines.on('error', () => undefined);
  }

  private async handle(s: Socket, line: string): Promise<void> {
    if (!line.trim()) return;
    let req: ControlRequest;
    try {
      req = requestSchema.parse(JSON.parse(line));
    } catch (e) {
      return this.send(s, { error: `bad request: ${(e as Error).message.split('\n')[0]}` });
    }
    if (req.op === 'cmd') {
      // Commands run concurrently per client (a `get` must not hold up `state`); replies carry the id.
      void execute(this.o.commands, req.cmd, req.args).then((reply) => this.send(s, { id: req.id, reply }));
      return;
    }
    if (req.op === 'subscribe') {
      const history = req.history ? this.o.history.replay() : [];
      const hello = { pid: process.pid, state: this.state(), commands: Object.keys(this.o.commands), history };
      this.send(s, { id: req.id, hello });
      this.subscribers.add(s);
      return;
    }
    try {
      await this.stabilization(req.action, req.ms);
      this.stateCache = null;
      this.send(s, { id: req.id, state: this.state() });
    } catch (e) {
      this.send(s, { id: req.id, error: (e as Error).message });
    }
  }

  private async stabilization(action: 'pause' | 'resume' | 'step' | 'interval', ms?: number): Promise<void> {
    const st = this.o.node.stabilization;
    if (action === 'pause') st.pause();
    else if (action === 'resume') st.resume();
    else if (action === 'step') await st.step();
    else if (ms === undefined) throw new P2pError('USAGE', 'interval needs ms');
    else st.setIntervalMs(ms);
  }

  private broadcast(name: BusEventName, payload: unknown): void {
    if (this.subscribers.size === 0) return;
    const state = changesState(name) ? this.state() : undefined;
    const line = `${JSON.stringify({ event: name, payload, state })}\n`;
    for (const s of this.subscribers) this.write(s, line);
  }

  /** The node's state, computed at most once per turn of the event loop (a join updates many fingers at once). */
  private state(): NodeState {
    if (this.stateCache) return this.stateCache;
    const st = this.o.node.stabilization;
    this.stateCache = {
      snapshot: this.o.node.snapshot(),
      stabilization: { paused: st.isPaused(), intervalMs: st.intervalMs(), effectiveMs: st.effectiveMs() },
    };
    setImmediate(() => (this.stateCache = null));
    return this.stateCache;
  }

  private send(s: Socket, msg: object): void {
    this.write(s, `${JSON.stringify(msg)}\n`);
  }

  private write(s: Socket, line: string): void {
    if (s.destroyed) return;
    if (s.writableLength > MAX_BACKLOG) {
      s.destroy();
      return this.log('warn', 'a control client read too slowly and was dropped');
    }
    s.write(line);
  }

  private log(level: 'debug' | 'warn', message: string): void {
    this.o.node.bus.emit('log:line', { at: Date.now(), level, topic: 'control', message });
  }
}

/** A socket file left by a daemon that died is removed; one a live daemon answers on is an error. */
async function removeStaleSocket(path: string): Promise<void> {
  if (!existsSync(path)) return;
  const live = await new Promise<boolean>((resolve) => {
    const c = createConnection(path);
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });
  if (live) throw new P2pError('DAEMON_RUNNING', `a daemon is already running on ${path}`);
  unlinkSync(path);
}
