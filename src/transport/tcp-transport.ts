/**
 * Real TCP: one persistent connection per peer address, reused for every request.
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
import { joinHostPort, splitAddress } from '../wire/address.js';
import { advertisedAddress } from './advertise-address.js';
import { abortReason, RpcTimeoutError, UnreachableError } from '../wire/errors.js';
import type { Hello, RequestBody, RequestType, ResponseBody } from '../wire/messages.js';
import { probeClaim } from './address-probe.js';
import { silentLog, type LogFn } from '../core/log.js';
import { TcpConnection } from './tcp-connection.js';
import { acceptPrivate } from './private-accept.js';
import { WorkBudget } from './work-budget.js';
import { PeerDoor, type PeerLimits } from './peer-limits.js';
import { describeSocketError, looksLikeTls, pskConnect } from './psk-tls.js';
import type { LocalIdentity, RequestHandler, RequestOptions, Transport } from './transport.js';

/**
 * Requests whose answer waits on a disk or carries a chunk: their time is not the link's round
 * trip, so they keep a fixed default timeout rather than the per-peer adaptive one.
 */
const BULK: ReadonlySet<RequestType> = new Set<RequestType>([
  'store_get',
  'store_put',
  'store_list',
  'store_sync',
  'file_manifest',
  'file_chunk',
]);

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
  /** Connections per remote address and the idle bound (defaults: see peer-limits.ts). */
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
  /** A number per outbound connection dialed (see connectionTag). */
  private readonly tags = new WeakMap<TcpConnection, number>();
  private dialed = 0;
  private readonly all = new Set<TcpConnection>();
  private readonly log: LogFn;
  private closing = false;
  private readBuffer: Buffer | null = null;
  private readonly budget: WorkBudget;
  private readonly door: PeerDoor;
  private readonly rtt = new RttEstimator({
    initialMs: DEFAULT_RPC_TIMEOUT_MS,
    floorMs: RTO_FLOOR_MS,
    ceilingMs: RTO_CEILING_MS,
    capacity: RTT_PEERS,
  });

  constructor(private readonly opts: TcpTransportOptions) {
    this.log = opts.log ?? silentLog;
    this.budget = opts.workBudget ?? new WorkBudget();
    this.door = new PeerDoor(opts.limits ?? {}, this.log);
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
    return this.address;
  }

  async request<T extends RequestType>(
    to: string,
    type: T,
    body: RequestBody<T>,
    opts: RequestOptions = {},
  ): Promise<ResponseBody<T>> {
    const fixed = opts.timeoutMs ?? this.opts.timeoutMs ?? (BULK.has(type) ? DEFAULT_RPC_TIMEOUT_MS : undefined);
    const timeoutMs = fixed ?? this.rtt.timeoutMs(to);
    const conn = await this.connection(to, opts.signal);
    const { id, done } = conn.request(type, body, opts.into);
    const sentAt = performance.now();
    try {
      const onTimeout = () => (fixed ?? this.rtt.timedOut(to), new RpcTimeoutError(to, type, timeoutMs));
      const reply = await bounded(done, timeoutMs, opts.signal, onTimeout, `${type} to ${to}`);
      if (fixed === undefined) this.rtt.sample(to, performance.now() - sentAt);
      return reply as ResponseBody<T>;
    } finally {
      conn.forget(id); // a request given up (timeout, abort) must not write into `opts.into` later
    }
  }

  connectionTag(to: string): number | null {
    const conn = this.outbound.get(to);
    return conn && !conn.isClosed ? (this.tags.get(conn) ?? null) : null;
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const c of this.all) c.close('transport closed');
    this.all.clear();
    this.outbound.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  private accept(socket: Socket, handler: RequestHandler): void {
    if (this.closing) return void socket.destroy();
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
      if (alt?.match(first)) return alt.accept(socket, first);
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
        this.door.watchIdle(secure);
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
    const serve = (async (type, body, from) =>
      type === 'probe' ? this.answerProbe(body as RequestBody<'probe'>) : handler(type, body, from)) as RequestHandler;
    const verify = (h: Hello) =>
      probeClaim(h, {
        identity: this.opts.identity,
        networkKey: this.opts.networkKey,
        log: this.log,
        timeoutMs: PROBE_TIMEOUT_MS,
      });
    const conn = new TcpConnection(socket, true, () => this.identity(), serve, this.log, label, this.budget, verify);
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

  /** The encrypted dial: TLS buffers its own reads, so no shared read buffer here. */
  private dialSecret(to: string, host: string, port: number, key: Buffer): TcpConnection {
    const socket = pskConnect(host, port, key);
    let secure = false;
    socket.once('secureConnect', () => (secure = true));
    socket.once('error', (e) => {
      if (!secure) this.log('warn', 'tcp', `cannot connect to ${to}: ${describeSocketError(to, e)}`);
    });
    const conn = new TcpConnection(socket, false, () => this.identity(), null, this.log, to);
    this.track(conn, socket);
    return conn;
  }

  private track(conn: TcpConnection, socket: Socket): void {
    this.all.add(conn);
    this.tags.set(conn, ++this.dialed);
    socket.once('close', () => {
      this.all.delete(conn);
      for (const [addr, c] of this.outbound) if (c === conn) this.outbound.delete(addr);
    });
  }
}

/** Waits for `p`, failing after `ms` or when `signal` aborts (`what` names the wait in the error). */
export function bounded<T>(
  p: Promise<T>,
  ms: number,
  signal: AbortSignal | undefined,
  onTimeout: () => Error,
  what = 'request',
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal, what));
    const timer = setTimeout(() => finish(() => reject(onTimeout())), ms);
    const onAbort = () => finish(() => reject(abortReason(signal!, what)));
    signal?.addEventListener('abort', onAbort, { once: true });
    function finish(f: () => void) {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      f();
    }
    p.then(
      (v) => finish(() => resolve(v)),
      (e) => finish(() => reject(e)),
    );
  });
}
