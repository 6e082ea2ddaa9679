/**
 * Real TCP: one persistent connection per peer address, reused for every request.
 * Every request is bounded by a timeout and by the caller's AbortSignal (aborting rejects with
 * ABORTED, or with the signal's reason when the caller gave an Error).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { DEFAULT_RPC_TIMEOUT_MS, HELLO_TIMEOUT_MS } from '../core/constants.js';
import { joinHostPort, splitAddress } from '../wire/address.js';
import { advertisedAddress } from './advertise-address.js';
import { abortReason, RpcTimeoutError, UnreachableError } from '../wire/errors.js';
import type { RequestBody, RequestType, ResponseBody } from '../wire/messages.js';
import { silentLog, type LogFn } from '../core/log.js';
import { TcpConnection } from './tcp-connection.js';
import type { LocalIdentity, RequestHandler, RequestOptions, Transport } from './transport.js';

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
  /** Default request timeout in ms (default 2000). */
  readonly timeoutMs?: number;
  readonly log?: LogFn;
  /**
   * Another protocol served on the same port: connections whose first bytes it claims are
   * handed over (p2pterm frames start with a length; a P2P-CI request starts with "GET ").
   */
  readonly alternate?: AlternateProtocol;
}

export interface AlternateProtocol {
  match(first: Buffer): boolean;
  accept(socket: Socket, first: Buffer): void;
}

export class TcpTransport implements Transport {
  private server: Server | null = null;
  private address: string | null = null;
  private readonly outbound = new Map<string, TcpConnection>();
  private readonly all = new Set<TcpConnection>();
  private readonly log: LogFn;
  private closing = false;
  private readBuffer: Buffer | null = null;

  constructor(private readonly opts: TcpTransportOptions) {
    this.log = opts.log ?? silentLog;
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
    const timeoutMs = opts.timeoutMs ?? this.opts.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS;
    const conn = await this.connection(to, opts.signal);
    const { id, done } = conn.request(type, body, opts.into);
    try {
      const onTimeout = () => new RpcTimeoutError(to, type, timeoutMs);
      return (await bounded(done, timeoutMs, opts.signal, onTimeout, `${type} to ${to}`)) as ResponseBody<T>;
    } finally {
      conn.forget(id); // a request given up (timeout, abort) must not write into `opts.into` later
    }
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
    const alt = this.opts.alternate;
    if (!alt) return this.acceptNode(socket, handler, null);
    const silent = setTimeout(() => socket.destroy(), HELLO_TIMEOUT_MS);
    silent.unref();
    // Until the first bytes say whose it is, nobody else listens: an error here just ends it.
    socket.on('error', (e) => this.log('debug', 'tcp', `inbound connection error: ${e.message}`));
    socket.once('data', (first: Buffer) => {
      clearTimeout(silent);
      if (alt.match(first)) return alt.accept(socket, first);
      this.acceptNode(socket, handler, first);
    });
  }

  private acceptNode(socket: Socket, handler: RequestHandler, first: Buffer | null): void {
    const label = `${socket.remoteAddress}:${socket.remotePort}`;
    const conn = new TcpConnection(socket, true, () => this.identity(), handler, this.log, label);
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

  private track(conn: TcpConnection, socket: Socket): void {
    this.all.add(conn);
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
