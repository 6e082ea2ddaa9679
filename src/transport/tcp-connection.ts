/**
 * One TCP connection between p2pterm nodes: hello first, then multiplexed requests and
 * responses in both directions. A malformed or oversized frame closes this connection only.
 */
import type { Socket } from 'node:net';
import { PROTOCOL_VERSION } from '../core/constants.js';
import { decodePayload, encodeFrame, FrameDecoder, parseResponse, type Frame } from '../wire/codec.js';
import { DecodeError, errorCode, IncompatiblePeerError, RemoteError, UnreachableError } from '../wire/errors.js';
import type { Hello, RequestType } from '../wire/messages.js';
import { hashId } from '../core/ring-math.js';
import type { LogFn } from './log-fn.js';
import type { LocalIdentity, PeerInfo, RequestHandler } from './transport.js';

/** Requests one connection may have in service at once. */
const MAX_SERVING = 512;

interface Pending {
  type: RequestType;
  resolve(v: unknown): void;
  reject(e: Error): void;
}

export class TcpConnection {
  peer: PeerInfo | null = null;
  private readonly decoder = new FrameDecoder();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Requests from the peer being served right now. */
  private serving = 0;
  private closed = false;
  private helloWaiter: { resolve(): void; reject(e: Error): void } | null = null;
  readonly ready: Promise<void>;

  constructor(
    private readonly socket: Socket,
    private readonly inbound: boolean,
    private readonly self: () => LocalIdentity & { address: string | null },
    private readonly handler: RequestHandler | null,
    private readonly log: LogFn,
    private readonly label: string,
  ) {
    socket.setNoDelay(true);
    this.ready = new Promise<void>((resolve, reject) => (this.helloWaiter = { resolve, reject }));
    this.ready.catch(() => {});
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => this.shutdown(new UnreachableError(label, e.message)));
    socket.on('close', () => this.shutdown(new UnreachableError(label, 'connection closed')));
    if (!inbound) this.send({ kind: 'hello', body: this.helloBody() });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  request(type: RequestType, body: unknown): { id: number; done: Promise<unknown> } {
    const id = this.nextId++ >>> 0 || this.nextId++;
    const done = new Promise<unknown>((resolve, reject) => {
      if (this.closed) return reject(new UnreachableError(this.label, 'connection closed'));
      this.pending.set(id, { type, resolve, reject });
      this.send({ kind: 'request', id, type, body });
    });
    return { id, done };
  }

  /** Bytes read before this connection took the socket over. */
  feed(data: Buffer): void {
    this.onData(data);
  }

  /** Forgets a request whose caller gave up (timeout or abort). */
  forget(id: number): void {
    this.pending.delete(id);
  }

  close(reason = 'closing'): void {
    this.shutdown(new UnreachableError(this.label, reason));
  }

  private helloBody(): Hello {
    const me = this.self();
    return { version: PROTOCOL_VERSION, id: me.id, address: me.address, bits: me.bits, routing: me.routing };
  }

  private send(frame: Frame): void {
    if (this.closed) return;
    try {
      this.socket.write(encodeFrame(frame));
    } catch (e) {
      this.log('error', 'tcp', `cannot send to ${this.label}: ${(e as Error).message}`);
    }
  }

  private onData(data: Buffer): void {
    let payloads: Buffer[];
    try {
      payloads = this.decoder.push(data);
    } catch (e) {
      return this.fail(e as Error);
    }
    for (const p of payloads) {
      if (this.closed) return;
      try {
        this.onFrame(decodePayload(p));
      } catch (e) {
        return this.fail(e as Error);
      }
    }
  }

  /** A protocol violation by the peer: log why and drop this connection only. */
  private fail(e: Error): void {
    this.log('warn', 'tcp', `closing connection with ${this.label}: ${e.message}`);
    this.socket.destroy();
    this.shutdown(e instanceof DecodeError ? new UnreachableError(this.label, `protocol error: ${e.message}`) : e);
  }

  private onFrame(f: Frame): void {
    if (f.kind === 'hello') return this.onHello(f.body);
    if (f.kind === 'refused') {
      this.log('warn', 'tcp', `${this.label} refused us: ${f.message}`);
      this.shutdown(new IncompatiblePeerError(f.message));
      this.socket.destroy();
      return;
    }
    if (!this.peer) throw new DecodeError(`${f.kind} frame before hello`);
    if (f.kind === 'request') return void this.serve(f.id, f.type, f.body);
    const waiter = this.pending.get(f.id);
    if (!waiter) return; // an answer to a request we gave up on
    this.pending.delete(f.id);
    if (f.kind === 'error') return waiter.reject(new RemoteError(f.code, f.message));
    waiter.resolve(parseResponse(waiter.type, f.body));
  }

  private onHello(h: Hello): void {
    if (this.peer) throw new DecodeError('second hello');
    const problem = incompatibility(this.self(), h);
    if (problem) {
      if (this.inbound) this.send({ kind: 'refused', code: 'INCOMPATIBLE', message: problem });
      this.log('warn', 'tcp', `refusing ${this.label}: ${problem}`);
      this.shutdown(new IncompatiblePeerError(problem));
      this.socket.end();
      return;
    }
    this.peer = { id: h.id, address: h.address };
    if (this.inbound) this.send({ kind: 'hello', body: this.helloBody() });
    this.helloWaiter?.resolve();
  }

  private async serve(id: number, type: RequestType, body: unknown): Promise<void> {
    if (!this.handler) return this.send({ kind: 'error', id, code: 'NOT_SERVING', message: 'this endpoint does not serve requests' });
    // A peer that floods requests gets BUSY answers instead of unbounded work and memory.
    if (this.serving >= MAX_SERVING) return this.send({ kind: 'error', id, code: 'BUSY', message: `more than ${MAX_SERVING} requests in flight on one connection` });
    this.serving++;
    try {
      const result = await this.handler(type, body as never, this.peer!);
      this.send({ kind: 'response', id, body: result });
    } catch (e) {
      this.send({ kind: 'error', id, code: errorCode(e), message: (e as Error).message ?? String(e) });
    } finally {
      this.serving--;
    }
  }

  private shutdown(reason: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.helloWaiter?.reject(reason);
    for (const p of this.pending.values()) p.reject(reason);
    this.pending.clear();
    if (!this.socket.destroyed) this.socket.end();
    this.socket.destroySoon?.();
  }
}

/** Why a peer's hello is unacceptable, or null. */
export function incompatibility(me: LocalIdentity, h: Hello): string | null {
  if (h.version !== PROTOCOL_VERSION) return `protocol version ${h.version} is not supported (this node speaks ${PROTOCOL_VERSION})`;
  if (h.routing !== me.routing) return `routing mismatch: this ring runs ${me.routing} routing, the peer runs ${h.routing}`;
  if (h.bits !== me.bits) return `id width mismatch: this ring uses ${me.bits}-bit ids, the peer uses ${h.bits}`;
  if (h.address && hashId(h.address, h.bits).toString(16) !== h.id) return `peer id ${h.id} is not SHA-1("${h.address}")`;
  return null;
}
