/**
 * Real TCP: one persistent connection per peer process ("host:port"), reused for every request;
 * a request to a virtual node "host:port/i" goes over it with its route in the frame.
 * Every request is bounded by a timeout and by the caller's AbortSignal (aborting rejects with
 * ABORTED, or with the signal's reason when the caller gave an Error).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import {
  DEFAULT_RPC_TIMEOUT_MS,
  HELLO_TIMEOUT_MS,
  RTO_CEILING_MS,
  RTO_FLOOR_MS,
  RTT_PEERS,
} from '../core/constants.js';
import { RttEstimator } from '../core/rtt-estimator.js';
import { joinHostPort, splitAddress, splitVnode } from '../wire/address.js';
import { advertisedAddress } from './advertise-address.js';
import { RpcTimeoutError, UnreachableError } from '../wire/errors.js';
import type { Hello, RequestBody, RequestType, ResponseBody } from '../wire/messages.js';
import { probeClaim } from './address-probe.js';
import { silentLog, type LogFn } from '../core/log.js';
import { TcpConnection } from './tcp-connection.js';
import { bounded } from './bounded.js';
import { acceptPrivate } from './private-accept.js';
import { WorkBudget } from './work-budget.js';
import { PeerDoor, type PeerLimits } from './peer-limits.js';
import { ServeGuard } from './serve-guard.js';
import { LimitLog } from '../core/limit-log.js';
import { describeSocketError, looksLikeTls, pskConnect } from './psk-tls.js';
import type { LocalIdentity, RequestHandler, RequestOptions, Transport } from './transport.js';
import { BULK_REQUESTS } from './bulk-requests.js';

/** Bound on checking a new peer's address (within the hello's own bound). */
const PROBE_TIMEOUT_MS = HELLO_TIMEOUT_MS / 2;

/** Size of the reused read buffer of an outbound connection. */
const READ_BUFFER_BYTES = 256 * 1024;

export { splitAddress } from '../wire/address.js';

export interface TcpTransportOptions {
  /** Interface to listen on (default 127.0.0.1). */
  readonly host?: string;
  /** Port to listen on; 0 picks a free one (default 0). */
  readonly port?: number;
  /**
   * What peers are told to dial, "host" or "host:port" (the port defaults to the one listened
   * on). Default: the listened-on host, or for a wildcard the default route's interface address.
   */
  readonly advertise?: string;
  /** Our identity for the hello, read when a connection opens (the id depends on the port). */
  readonly identity: () => LocalIdentity;
  /**
   * A fixed request timeout in ms. Default: for ring traffic, adaptive per peer (smoothed RTT
   * plus four deviations, within RTO_FLOOR_MS..RTO_CEILING_MS; DEFAULT_RPC_TIMEOUT_MS before the
   * first answer); for storage and file requests, DEFAULT_RPC_TIMEOUT_MS.
   */
  readonly timeoutMs?: number;
  readonly log?: LogFn;
  /**
   * Another protocol served on the same port: connections whose first bytes it claims are
   * handed over (p2pterm frames start with a length; a P2P-CI request starts with "GET ").
   */
  readonly alternate?: AlternateProtocol;
  /**
   * A private network's key (see network-secret.ts): every connection, both ways, is PSK TLS
   * under it, and peers without it are refused with the reason. Default: an open network.
   */
  readonly networkKey?: Buffer;
  /** The bound on work all peers together may have in service here (default: WorkBudget's). */
  readonly workBudget?: WorkBudget;
  /**
   * Per-peer limits: connections per remote address, requests a second, requests outstanding,
   * bytes in flight, and the idle and slow-frame bounds (defaults: peer-limits.ts, peer-ledger.ts).
   */
  readonly limits?: PeerLimits;
}

export interface AlternateProtocol {
  match(first: Buffer): boolean;
  accept(socket: Socket, first: Buffer): void;
}

export class TcpTransport implements Transport {
  private server: Server | null = null;
  private address: string | null = null;
  private readonly outbound = new Map<string, TcpConnection>();
  /** A number per connection (see connectionTag). */
  private readonly tags = new WeakMap<TcpConnection, number>();
  private tagged = 0;
  private readonly all = new Set<TcpConnection>();
  private readonly log: LogFn;
  private closing = false;
  private dials = 0;
  private accepts = 0;
  private readBuffer: Buffer | null = null;
  private readonly budget: WorkBudget;
  private readonly door: PeerDoor;
  private readonly guard: ServeGuard;
  private readonly limitLog: LimitLog;
  private sweeper: NodeJS.Timeout | null = null;
  private readonly rtt = new RttEstimator({
    initialMs: DEFAULT_RPC_TIMEOUT_MS,
    floorMs: RTO_FLOOR_MS,
    ceilingMs: RTO_CEILING_MS,
    capacity: RTT_PEERS,
  });

  constructor(private readonly opts: TcpTransportOptions) {
    this.log = opts.log ?? silentLog;
    this.budget = opts.workBudget ?? new WorkBudget();
    this.limitLog = new LimitLog(this.log, () => Date.now());
    this.door = new PeerDoor(opts.limits ?? {}, this.limitLog);
    this.guard = new ServeGuard(opts.limits ?? {}, this.limitLog);
  }

  async listen(handler: RequestHandler): Promise<string> {
    const host = this.opts.host ?? '127.0.0.1';
    const server = createServer((socket) => this.accept(socket, handler));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port ?? 0, host, () => resolve());
    });
    server.on('error', (e) => this.log('error', 'tcp', `server error: ${e.message}`));
    const port = (server.address() as { port: number }).port;
    const { address, picked } = await advertisedAddress(host, port, this.opts.advertise);
    if (picked) this.log('info', 'tcp', `listening on ${joinHostPort(host, port)}, known as ${address} (${picked})`);
    this.address = address;
    const every = this.door.sweepEveryMs();
    if (every > 0) {
      this.sweeper = setInterval(() => this.sweep(), every);
      this.sweeper.unref();
    }
    return this.address;
  }

  /** Closes the connections that stalled mid-frame, and the idle inbound ones. */
  private sweep(): void {
    const now = performance.now();
    for (const c of this.all) {
      const why = c.stalled(now, this.door.idleMs, this.door.slowFrameMs);
      if (!why) continue;
      const who = c.peer?.address ?? c.label;
      this.limitLog.note(
        who,
        why.startsWith('idle') ? 'idle' : 'stalled',
        `closing the connection with ${who}: it ${why}`,
        'info',
        'tcp',
      );
      c.close(why);
    }
  }

  /** Outbound connections opened so far (on a private network, each one a TLS handshake). */
  get dialed(): number {
    return this.dials;
  }

  /** Inbound connections accepted so far (address probes included). */
  get accepted(): number {
    return this.accepts;
  }

  async request<T extends RequestType>(
    to: string,
    type: T,
    body: RequestBody<T>,
    opts: RequestOptions = {},
  ): Promise<ResponseBody<T>> {
    const fixed =
      opts.timeoutMs ?? this.opts.timeoutMs ?? (BULK_REQUESTS.has(type) ? DEFAULT_RPC_TIMEOUT_MS : undefined);
    const { host } = splitVnode(to);
    const timeoutMs = fixed ?? this.rtt.timeoutMs(host);
    const pooled = this.outbound.get(host);
    const reused = pooled !== undefined && !pooled.isClosed && pooled.peer !== null;
    const conn = await this.connection(host, opts.signal);
    const sentAt = performance.now();
    try {
      return await this.send(conn, to, type, body, opts, timeoutMs, fixed);
    } catch (e) {
      // A pooled connection the remote closed (idle, say) just as we used it: dial again, once.
      if (!reused || !conn.isClosed || !(e instanceof UnreachableError) || opts.signal?.aborted) throw e;
      const left = timeoutMs - (performance.now() - sentAt);
      if (left <= 0) throw e;
      const again = await this.connection(host, opts.signal);
      return this.send(again, to, type, body, opts, left, fixed);
    }
  }

  /** One request on `conn` to `to` (a member's address: host:port or host:port/i), bounded by `timeoutMs` and the caller's signal. */
  private async send<T extends RequestType>(
    conn: TcpConnection,
    to: string,
    type: T,
    body: RequestBody<T>,
    opts: RequestOptions,
    timeoutMs: number,
    fixed: number | undefined,
  ): Promise<ResponseBody<T>> {
    const { host, vnode } = splitVnode(to);
    const route = vnode || opts.fromVnode ? { to: vnode || undefined, from: opts.fromVnode || undefined } : undefined;
    const { id, done } = conn.request(type, body, opts.into, route);
    const sentAt = performance.now();
    try {
      const onTimeout = () => (fixed ?? this.rtt.timedOut(host), new RpcTimeoutError(to, type, timeoutMs));
      const reply = await bounded(done, timeoutMs, opts.signal, onTimeout, `${type} to ${to}`);
      if (fixed === undefined) this.rtt.sample(host, performance.now() - sentAt);
      return reply as ResponseBody<T>;
    } finally {
      conn.forget(id); // a request given up (timeout, abort) must not write into `opts.into` later
    }
  }

  connectionTag(to: string): number | null {
    const conn = this.outbound.get(splitVnode(to).host);
    return conn && !conn.isClosed ? (this.tags.get(conn) ?? null) : null;
  }

  closesSeen(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  /** Closes every connection, listening on (this node left the ring: no peer may take it for a member). */
  dropConnections(reason: string): void {
    for (const c of this.all) c.close(reason);
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    for (const c of this.all) c.close('transport closed');
    this.all.clear();
    this.outbound.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  private accept(socket: Socket, handler: RequestHandler): void {
    if (this.closing) return void socket.destroy();
    this.accepts++;
    if (!this.door.admit(socket)) return;
    const alt = this.opts.alternate;
    const key = this.opts.networkKey;
    if (!alt && !key) return this.acceptNode(socket, handler, null);
    const silent = setTimeout(() => socket.destroy(), HELLO_TIMEOUT_MS);
    silent.unref();
    // Until the first bytes say whose it is, nobody else listens: an error here just ends it.
    socket.on('error', (e) => this.log('debug', 'tcp', `inbound connection error: ${e.message}`));
    socket.once('data', (first: Buffer) => {
      clearTimeout(silent);
      if (key) return this.acceptSecret(socket, handler, first, key);
      if (looksLikeTls(first)) return this.refuseTls(socket);
      if (alt?.match(first)) return (this.door.watchIdle(socket), alt.accept(socket, first));
      this.acceptNode(socket, handler, first);
    });
  }

  private acceptSecret(socket: Socket, handler: RequestHandler, first: Buffer, key: Buffer): void {
    acceptPrivate(socket, first, {
      key,
      log: (level, message) => this.log(level, 'tcp', message),
      onSecure: (secure) => {
        if (this.closing) return void secure.destroy();
        socket.setTimeout(0);
        this.acceptNode(secure, handler, null);
      },
    });
  }

  /** A private network's node dialed this open one: say why it cannot work, on our side. */
  private refuseTls(socket: Socket): void {
    const label = `${socket.remoteAddress}:${socket.remotePort}`;
    this.log(
      'warn',
      'tcp',
      `refusing ${label}: it opened an encrypted private-network connection; this node has no secret`,
    );
    socket.destroy();
  }

  private acceptNode(socket: Socket, handler: RequestHandler, first: Buffer | null): void {
    const label = `${socket.remoteAddress}:${socket.remotePort}`;
    // Probes are the transport's own business; every other request goes to the node.
    const serve = (async (type, body, from, vnode) =>
      type === 'probe'
        ? this.answerProbe(body as RequestBody<'probe'>)
        : handler(type, body, from, vnode)) as RequestHandler;
    const verify = (h: Hello) =>
      probeClaim(h, {
        identity: this.opts.identity,
        networkKey: this.opts.networkKey,
        log: this.log,
        timeoutMs: PROBE_TIMEOUT_MS,
        open: (address) => this.openOutbound(address),
      });
    const conn = new TcpConnection(
      socket,
      true,
      () => this.identity(),
      serve,
      this.log,
      label,
      this.budget,
      verify,
      this.guard,
    );
    this.track(conn, socket);
    const timer = setTimeout(() => {
      if (!conn.peer) conn.close('no hello in time');
    }, HELLO_TIMEOUT_MS);
    timer.unref();
    conn.ready.then(
      () => clearTimeout(timer),
      () => clearTimeout(timer),
    );
    if (first) conn.feed(first);
  }

  /** Whether `token` was sent in the hello of one of our own outbound connections. */
  private async answerProbe(body: RequestBody<'probe'>): Promise<ResponseBody<'probe'>> {
    for (const c of this.outbound.values()) if (c.token === body.token) return { mine: true };
    return { mine: false };
  }

  /** Our outbound connection to `address` once its hello is done, if we hold one. */
  private openOutbound(address: string): TcpConnection | null {
    const c = this.outbound.get(address);
    return c && !c.isClosed && c.peer ? c : null;
  }

  private identity(): LocalIdentity & { address: string | null } {
    return { ...this.opts.identity(), address: this.address };
  }

  private async connection(to: string, signal?: AbortSignal): Promise<TcpConnection> {
    if (this.closing) throw new UnreachableError(to, 'transport closed');
    let conn = this.outbound.get(to);
    if (!conn || conn.isClosed) {
      conn = this.dial(to);
      this.outbound.set(to, conn);
    }
    const onTimeout = () => new UnreachableError(to, 'no hello in time');
    await bounded(conn.ready, HELLO_TIMEOUT_MS, signal, onTimeout, `connecting to ${to}`);
    return conn;
  }

  private dial(to: string): TcpConnection {
    const { host, port } = splitAddress(to);
    this.dials++;
    if (this.opts.networkKey) return this.dialSecret(to, host, port, this.opts.networkKey);
    // Reads land in one buffer reused for every read of every outbound connection: a fresh
    // buffer per read is external memory V8 collects with major GCs, costly at hundreds of
    // MB/s. Sharing is safe: each read is consumed by its callback before the next read starts.
    let conn: TcpConnection | null = null;
    this.readBuffer ??= Buffer.allocUnsafe(READ_BUFFER_BYTES);
    const onread = {
      buffer: this.readBuffer,
      callback: (n: number, buf: Buffer) => (conn?.feedBorrowed(buf.subarray(0, n)), true),
    };
    const socket = connect({ host, port, onread });
    conn = new TcpConnection(socket, false, () => this.identity(), null, this.log, to);
    this.track(conn, socket);
    return conn;
  }

  /**
   * The encrypted dial. TLS decrypts into the same shared read buffer (one record, at most
   * 16 KiB, per callback) rather than into a fresh buffer pushed through a Readable stream.
   */
  private dialSecret(to: string, host: string, port: number, key: Buffer): TcpConnection {
    let conn: TcpConnection | null = null;
    this.readBuffer ??= Buffer.allocUnsafe(READ_BUFFER_BYTES);
    const onread = {
      buffer: this.readBuffer,
      callback: (n: number, buf: Buffer) => (conn?.feedBorrowed(buf.subarray(0, n)), true),
    };
    const socket = pskConnect(host, port, key, onread);
    let secure = false;
    socket.once('secureConnect', () => (secure = true));
    socket.once('error', (e) => {
      if (!secure) this.log('warn', 'tcp', `cannot connect to ${to}: ${describeSocketError(to, e)}`);
    });
    conn = new TcpConnection(socket, false, () => this.identity(), null, this.log, to);
    this.track(conn, socket);
    return conn;
  }

  private track(conn: TcpConnection, socket: Socket): void {
    this.all.add(conn);
    this.tags.set(conn, ++this.tagged);
    socket.once('close', () => {
      this.all.delete(conn);
      for (const [addr, c] of this.outbound) if (c === conn) this.outbound.delete(addr);
    });
  }
}
