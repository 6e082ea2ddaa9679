/**
 * The tracker: a TCP server speaking P2P-CI/1.0 and, on the same port, the native protocol.
 *
 * Invariants:
 * - at start every peer in the index is offline: only a live connection brings one back;
 * - a connection is P2P-CI unless its first line is the native magic line;
 * - every socket has an idle bound: P2P-CI sessions `p2pciIdleMs` (plus TCP keepalive), native
 *   sessions `livenessMs`, an undecided first line `stallMs`;
 * - connections beyond `maxConnsPerIp` from one address are refused at once;
 * - logs go to the `log` option, never to stdout;
 * - stop() closes every connection, marks their peers offline and closes the database.
 */
import { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { joinHostPort } from '../wire/address.js';
import { sniffProtocol } from './native-protocol.js';
import { NativeSession } from './native-session.js';
import { P2pCiSession } from './p2p-ci-session.js';
import { privateTrackerDoor } from './private-tracker.js';
import { PeerRegistry, silentTrackerLog, type PeerRegistryEvents, type TrackerLog } from './peer-registry.js';
import { TrackerIndex, type IndexStats } from './tracker-index.js';
import * as C from './tracker-constants.js';

export interface TrackerServerOptions {
  /** Address to listen on. Default '0.0.0.0'. */
  readonly host?: string;
  /** Port to listen on; 0 picks a free one. Default 7734. */
  readonly port?: number;
  /** SQLite database file (created if missing). */
  readonly dbPath: string;
  /** Native peers silent longer than this are marked offline. Default 15 000 ms. */
  readonly livenessMs?: number;
  /** Log sink. Default: discard. */
  readonly log?: TrackerLog;
  /** Simultaneous connections per IP address. Default 64. */
  readonly maxConnsPerIp?: number;
  /** Simultaneous connections overall. Default 10 000. */
  readonly maxConns?: number;
  /** Idle bound of a P2P-CI connection. Default 30 min. */
  readonly p2pciIdleMs?: number;
  /** A half-sent line pending this long is refused. Default 5 000 ms. */
  readonly stallMs?: number;
  /** Quiet time that completes a request lacking its blank line. Default 100 ms. */
  readonly idleCompleteMs?: number;
  /** SQLite durability: 'NORMAL' survives a process kill (default), 'FULL' also power loss. */
  readonly synchronous?: 'NORMAL' | 'FULL';
  /** A private network's key: only PSK TLS connections under it are served (no plain P2P-CI). */
  readonly networkKey?: Buffer;
}

export class TrackerServer extends EventEmitter<PeerRegistryEvents> {
  readonly #opts: Required<Omit<TrackerServerOptions, 'synchronous' | 'networkKey'>>;
  readonly #sockets = new Set<Socket>();
  readonly #perIp = new Map<string, number>();
  #server: Server | undefined;
  #index: TrackerIndex | undefined;
  #registry: PeerRegistry | undefined;
  #address = '';

  constructor(private readonly options: TrackerServerOptions) {
    super();
    this.#opts = {
      host: options.host ?? '0.0.0.0',
      port: options.port ?? C.P2PCI_DEFAULT_PORT,
      dbPath: options.dbPath,
      livenessMs: options.livenessMs ?? C.DEFAULT_LIVENESS_MS,
      log: options.log ?? silentTrackerLog,
      maxConnsPerIp: options.maxConnsPerIp ?? C.DEFAULT_MAX_CONNS_PER_IP,
      maxConns: options.maxConns ?? C.DEFAULT_MAX_CONNS,
      p2pciIdleMs: options.p2pciIdleMs ?? C.P2PCI_IDLE_MS,
      stallMs: options.stallMs ?? C.STALL_MS,
      idleCompleteMs: options.idleCompleteMs ?? C.IDLE_COMPLETE_MS,
    };
  }

  /** "host:port" once listening. */
  get address(): string {
    return this.#address;
  }

  /** The index (for a console's tracker view); undefined before start. */
  get index(): TrackerIndex | undefined {
    return this.#index;
  }

  stats(): IndexStats & { connections: number } {
    const base = this.#index?.stats() ?? { peers: 0, onlinePeers: 0, files: 0 };
    return { ...base, connections: this.#sockets.size };
  }

  /** Opens the database, marks every peer offline, and listens. Resolves to "host:port". */
  async start(): Promise<string> {
    if (this.#server) throw new Error('tracker already started');
    const index = new TrackerIndex(this.#opts.dbPath, { synchronous: this.options.synchronous });
    const offline = index.markAllOffline();
    this.#index = index;
    this.#registry = new PeerRegistry(index, this.#opts.log);
    this.#registry.on('tracker:peer-online', (e) => this.emit('tracker:peer-online', e));
    this.#registry.on('tracker:peer-offline', (e) => this.emit('tracker:peer-offline', e));
    const server = createServer({ noDelay: true }, (s) => this.#onConnection(s));
    server.maxConnections = this.#opts.maxConns;
    this.#server = server;
    try {
      await listen(server, this.#opts.host, this.#opts.port);
    } catch (e) {
      this.#server = undefined;
      index.close();
      throw e;
    }
    const addr = server.address() as { address: string; port: number };
    this.#address = joinHostPort(this.#opts.host, addr.port);
    this.#opts.log(
      'info',
      `tracker listening on ${this.#address} (db ${this.#opts.dbPath}, ${offline} peers marked offline)`,
    );
    return this.#address;
  }

  /** Stops listening, closes every connection (their peers go offline) and the database. */
  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    this.#registry?.shutdown();
    const sockets = [...this.#sockets].map((s) => new Promise<void>((resolve) => s.once('close', () => resolve())));
    for (const s of this.#sockets) s.destroy();
    await Promise.all([closed, ...sockets]);
    this.#index?.close();
    this.#opts.log('info', 'tracker stopped');
  }

  #onConnection(socket: Socket): void {
    const ip = socket.remoteAddress ?? '?';
    const label = `${ip}:${socket.remotePort ?? '?'}`;
    if ((this.#perIp.get(ip) ?? 0) >= this.#opts.maxConnsPerIp || !this.#registry) {
      this.#opts.log('warn', `refusing ${label}: more than ${this.#opts.maxConnsPerIp} connections from ${ip}`);
      socket.destroy();
      return;
    }
    this.#track(socket, ip);
    socket.on('error', (e) => this.#opts.log('debug', `${label}: ${e.message}`));
    socket.on('timeout', () => {
      this.#opts.log('debug', `${label}: idle timeout`);
      socket.destroy();
    });
    const key = this.options.networkKey;
    if (key)
      privateTrackerDoor(socket, key, this.#opts.stallMs, this.#opts.log, (s) =>
        this.#sniff(s, label, Buffer.alloc(0)),
      );
    else this.#sniff(socket, label, Buffer.alloc(0));
  }

  #track(socket: Socket, ip: string): void {
    this.#sockets.add(socket);
    this.#perIp.set(ip, (this.#perIp.get(ip) ?? 0) + 1);
    socket.once('close', () => {
      this.#sockets.delete(socket);
      const n = (this.#perIp.get(ip) ?? 1) - 1;
      if (n <= 0) this.#perIp.delete(ip);
      else this.#perIp.set(ip, n);
    });
  }

  /** Reads just enough of the first line to tell native from P2P-CI, then hands over. */
  #sniff(socket: Socket, label: string, buf: Buffer): void {
    // P2P-CI clients may connect and sit at a prompt before their first request.
    socket.setTimeout(this.#opts.p2pciIdleMs);
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      const verdict = sniffProtocol(buf);
      if (verdict.kind === 'wait') return void socket.setTimeout(this.#opts.stallMs);
      socket.off('data', onData);
      if (verdict.kind === 'native') this.#startNative(socket, label, verdict.rest);
      else this.#startP2pCi(socket, label, buf);
    };
    socket.on('data', onData);
  }

  #startNative(socket: Socket, label: string, rest: Buffer): void {
    const o = this.#opts;
    const heartbeatMs = Math.max(1, Math.floor(o.livenessMs / 3));
    new NativeSession(socket, `native ${label}`, {
      registry: this.#registry!,
      log: o.log,
      livenessMs: o.livenessMs,
      heartbeatMs,
    }).start(rest);
  }

  #startP2pCi(socket: Socket, label: string, initial: Buffer): void {
    const o = this.#opts;
    socket.setTimeout(o.p2pciIdleMs);
    socket.setKeepAlive(true, C.KEEPALIVE_MS);
    new P2pCiSession(socket, `p2p-ci ${label}`, {
      registry: this.#registry!,
      log: o.log,
      idleCompleteMs: o.idleCompleteMs,
      stallMs: o.stallMs,
    }).start(initial);
  }
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
