/**
 * One TCP connection between p2pterm nodes: hello first, then multiplexed requests and
 * responses in both directions. A malformed or oversized frame closes this connection only.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { PROTOCOL_VERSION } from '../core/constants.js';
import { decodePayload, FrameDecoder, parseResponse, responseIdOf, type Frame, type RawFrame } from '../wire/codec.js';
import { DecodeError, errorCode, IncompatiblePeerError, RemoteError, UnreachableError } from '../wire/errors.js';
import type { Hello, RequestType, VnodeRoute } from '../wire/messages.js';
import { vnodeAddress } from '../wire/address.js';
import { hashId } from '../core/ring-math.js';
import type { LogFn } from '../core/log.js';
import { describeSocketError } from './psk-tls.js';
import { FrameWriter } from './frame-writer.js';
import { bodyBytes, type WorkBudget } from './work-budget.js';
import { BURST_MS } from './peer-ledger.js';
import type { ServeGuard } from './serve-guard.js';
import { ANSWERED_BEFORE_PROOF } from './before-proof.js';
import { incompatibility } from './hello-check.js';
import { RELEASE, type LocalIdentity, type PeerInfo, type Releasable, type RequestHandler } from './transport.js';

/** How long reads from a peer over its request rate are held back (ms): until its bucket is full again. */
const RATE_HOLD_MS = BURST_MS;
/** Requests one connection may have in service at once. */
const MAX_SERVING = 512;

interface Pending {
  type: RequestType;
  /** Where the response's tail may be received (see RequestOptions.into). */
  into?: Uint8Array;
  resolve(v: unknown): void;
  reject(e: Error): void;
}

export class TcpConnection {
  /**
   * The peer as its hello established it. An inbound peer's address is in it only once proven
   * (see `verify`); until then it is served as a client would be, under its remote IP.
   */
  peer: PeerInfo | null = null;
  private readonly decoder = new FrameDecoder(undefined, (payload, length) => this.tailTarget(payload, length));
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Requests from the peer being served right now. */
  private serving = 0;
  /** Set while reads are held back (see holdReads). */
  private held: NodeJS.Timeout | null = null;
  /** When the peer last sent bytes (performance.now() ms). */
  private lastHeard = performance.now();
  private closed = false;
  private readonly writer: FrameWriter;
  private helloWaiter: { resolve(): void; reject(e: Error): void } | null = null;
  /** An inbound peer's claim to its address, until it is proven (see `verify`). */
  private claim: Hello | null = null;
  /**
   * While that claim is being checked: whether it held. The check starts with the first
   * request that needs it (see before-proof.ts), which waits for it, as do those after it; a
   * peer that only asks what anyone may ask is never probed.
   */
  private proof: Promise<boolean> | null = null;
  readonly ready: Promise<void>;
  /** Sent in an outbound hello: the server asks our listening address whether it is ours. */
  readonly token = randomBytes(12).toString('hex');

  constructor(
    private readonly socket: Socket,
    private readonly inbound: boolean,
    private readonly self: () => LocalIdentity & { address: string | null },
    private readonly handler: RequestHandler | null,
    private readonly log: LogFn,
    readonly label: string,
    /** The node-wide bound on work in service (inbound connections); null: none. */
    private readonly budget: WorkBudget | null = null,
    /**
     * Checks an inbound peer's claim to its address: null, or why not. The hello is answered at
     * once; requests that act for the claimed address wait for this check.
     */
    private readonly verify: ((h: Hello) => Promise<string | null>) | null = null,
    /** Per-peer request limits (inbound connections); null: none. */
    private readonly guard: ServeGuard | null = null,
  ) {
    socket.setNoDelay(true);
    this.writer = new FrameWriter(socket, log, label);
    this.ready = new Promise<void>((resolve, reject) => (this.helloWaiter = { resolve, reject }));
    // Whoever waits for the hello sees its failure; this only keeps an unawaited one from
    // surfacing as an unhandled rejection (inbound connections nobody awaits).
    this.ready.catch(() => undefined);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => this.shutdown(new UnreachableError(label, describeSocketError(label, e))));
    socket.on('close', () => this.shutdown(new UnreachableError(label, 'connection closed')));
    // A node we dialed never half-closes: its FIN after the hello means it is gone (its process
    // died and its kernel closed the socket). Closed now, not a turn later when 'close' comes,
    // so no one vouches for it meanwhile (connectionTag). Before the hello, 'error' and 'close'
    // say why better (a refused secret, say).
    if (!inbound)
      socket.on('end', () => this.peer && this.shutdown(new UnreachableError(label, 'the peer closed the connection')));
    if (!inbound) this.send({ kind: 'hello', body: this.helloBody() });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Sends a request; a response tail of exactly `into`'s length is received into `into`.
   * `route` names the virtual nodes it goes to and comes from, when not the first ones.
   */
  request(
    type: RequestType,
    body: unknown,
    into?: Uint8Array,
    route?: VnodeRoute,
  ): { id: number; done: Promise<unknown> } {
    const id = this.nextId++ >>> 0 || this.nextId++;
    const done = new Promise<unknown>((resolve, reject) => {
      if (this.closed) return reject(new UnreachableError(this.label, 'connection closed'));
      this.pending.set(id, { type, into, resolve, reject });
      this.send({ kind: 'request', id, type, body, route });
    });
    return { id, done };
  }

  /** Bytes read before this connection took the socket over. */
  feed(data: Buffer): void {
    this.onData(data);
  }

  /** Bytes read into a buffer the socket reuses for its next read (see TcpTransport.dial). */
  feedBorrowed(data: Buffer): void {
    this.onData(data, true);
  }

  /** Forgets a request whose caller gave up (timeout or abort); its `into` is never written again. */
  forget(id: number): void {
    const p = this.pending.get(id);
    this.pending.delete(id);
    if (p?.into) this.decoder.dropTail(p.into);
  }

  close(reason = 'closing'): void {
    this.shutdown(new UnreachableError(this.label, reason));
  }

  private helloBody(): Hello {
    const me = this.self();
    const body = { version: PROTOCOL_VERSION, id: me.id, address: me.address, bits: me.bits, routing: me.routing };
    return this.inbound ? body : { ...body, token: this.token };
  }

  /** Writes `frame` (see FrameWriter.write); nothing once closed. */
  private send(frame: Frame, release?: () => void): number {
    if (this.closed) return (release?.(), 0);
    return this.writer.write(frame, release);
  }

  /**
   * Why this connection should be closed at `now` (performance.now() ms), or null: it stalled
   * part-way through a frame (or its hello) for `slowFrameMs`, or, inbound with nothing in
   * service, pending or being written, it sent nothing for `idleMs`. Outgoing bytes are not
   * activity: a peer receiving a long reply has work outstanding, so it is not idle.
   */
  stalled(now: number, idleMs: number, slowFrameMs: number): string | null {
    if (this.closed) return null;
    const silent = now - this.lastHeard;
    if (slowFrameMs > 0 && this.decoder.midFrame && silent >= slowFrameMs)
      return `sent part of a frame, then nothing for ${Math.round(silent)} ms`;
    const busy = this.serving > 0 || this.pending.size > 0 || this.socket.writableLength > 0 || this.proof !== null;
    if (idleMs > 0 && this.inbound && !busy && silent >= idleMs) return `idle for ${Math.round(silent)} ms`;
    return null;
  }

  private onData(data: Buffer, borrowed = false): void {
    this.lastHeard = performance.now();
    let frames: RawFrame[];
    try {
      frames = this.decoder.push(data, borrowed);
    } catch (e) {
      return this.fail(e as Error);
    }
    for (const { payload, tail } of frames) {
      if (this.closed) return;
      try {
        this.onFrame(decodePayload(payload, tail));
      } catch (e) {
        return this.fail(e as Error);
      }
    }
  }

  /** A response's tail goes straight into the buffer its request is waiting with. */
  private tailTarget(payload: Buffer, length: number): Uint8Array | undefined {
    const id = responseIdOf(payload);
    const into = id === null ? undefined : this.pending.get(id)?.into;
    return into?.byteLength === length ? into : undefined;
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
    if (f.kind === 'request') return void this.serve(f.id, f.type, f.body, f.route);
    const waiter = this.pending.get(f.id);
    if (!waiter) return; // an answer to a request we gave up on
    this.pending.delete(f.id);
    if (f.kind === 'error') return waiter.reject(new RemoteError(f.code, f.message));
    waiter.resolve(parseResponse(waiter.type, f.body));
  }

  private onHello(h: Hello): void {
    if (this.peer) throw new DecodeError('second hello');
    const problem = incompatibility(this.self(), h);
    if (problem) return this.refuse('INCOMPATIBLE', problem);
    const unproven = this.inbound && this.verify !== null && h.address !== null;
    this.welcome(h, unproven);
    if (unproven) this.claim = h;
  }

  /** Checks `h`'s claim: the peer gets its address on success, a refusal and a closed connection otherwise. */
  private async prove(h: Hello, verify: (h: Hello) => Promise<string | null>): Promise<boolean> {
    let why: string | null;
    try {
      why = await verify(h);
    } catch (e) {
      why = `its address could not be checked: ${(e as Error).message}`;
    }
    this.proof = null;
    this.claim = null;
    if (this.closed) return false;
    if (why) return (this.refuse('UNVERIFIED', why), false);
    this.peer = { id: h.id, address: h.address, remote: this.socket.remoteAddress };
    return true;
  }

  private refuse(code: string, problem: string): void {
    if (this.inbound) this.send({ kind: 'refused', code, message: problem });
    this.log('warn', 'tcp', `refusing ${this.label}: ${problem}`);
    this.shutdown(new IncompatiblePeerError(problem));
    this.socket.end();
  }

  private welcome(h: Hello, unproven: boolean): void {
    const remote = this.socket.remoteAddress;
    this.peer = unproven
      ? { id: h.id, address: null, remote, claimed: h.address ?? undefined }
      : { id: h.id, address: h.address, remote };
    if (this.inbound) this.send({ kind: 'hello', body: this.helloBody() });
    this.helloWaiter?.resolve();
  }

  private async serve(id: number, type: RequestType, body: unknown, route?: VnodeRoute): Promise<void> {
    // A peer that floods requests gets BUSY answers instead of unbounded work and memory.
    if (this.serving >= MAX_SERVING)
      return this.busy(id, `more than ${MAX_SERVING} requests in flight on one connection`);
    if (this.claim && (route?.from || !ANSWERED_BEFORE_PROOF.has(type))) {
      this.proof ??= this.prove(this.claim, this.verify!);
      if (!(await this.proven(this.proof))) return;
    }
    const from = this.sender(route);
    if (!from)
      return void this.send({
        kind: 'error',
        id,
        code: 'BAD_ROUTE',
        message: 'a client has no virtual nodes to send from',
      });
    if (!this.handler)
      return void this.send({
        kind: 'error',
        id,
        code: 'NOT_SERVING',
        message: 'this endpoint does not serve requests',
      });
    const cost = bodyBytes(body);
    const peer = this.peer!;
    const refused = this.guard?.admit(peer, cost) ?? null;
    if (refused?.kind === 'rate') this.holdReads(RATE_HOLD_MS);
    if (refused) return this.busy(id, refused.why);
    if (this.budget && !this.budget.take(cost)) {
      this.guard?.finish(peer, cost);
      return this.busy(id, 'this node has all the work in service it takes');
    }
    this.serving++;
    let frame: Frame;
    let release: (() => void) | undefined;
    try {
      const result = await this.handler(type, body as never, from, route?.to ?? 0);
      frame = { kind: 'response', id, body: result };
      release = (result as Releasable | null)?.[RELEASE];
    } catch (e) {
      frame = { kind: 'error', id, code: errorCode(e), message: (e as Error).message ?? String(e) };
    } finally {
      this.serving--;
      this.budget?.release(cost);
    }
    this.reply(peer, cost, frame, release);
  }

  /**
   * Waits, counted as in service, for the peer's address to be proven: false when it was not
   * (the connection is closed then, and the request dropped with it).
   */
  private async proven(proof: Promise<boolean>): Promise<boolean> {
    this.serving++;
    try {
      return (await proof) && !this.closed;
    } finally {
      this.serving--;
    }
  }

  /** Sends a served request's answer; the peer's share stays counted until the socket took it. */
  private reply(peer: PeerInfo, cost: number, frame: Frame, release: (() => void) | undefined): void {
    const guard = this.guard;
    if (!guard) return void this.send(frame, release);
    let sent = 0;
    let counted = false;
    let finished = false;
    sent = this.send(frame, () => {
      finished = true;
      release?.();
      guard.finish(peer, cost + (counted ? sent : 0));
    });
    if (finished) return;
    counted = true;
    guard.addBytes(peer, sent);
  }

  private busy(id: number, message: string): void {
    this.send({ kind: 'error', id, code: 'BUSY', message });
  }

  /** The (virtual) node a request comes from: the peer, or its virtual node `route.from`. */
  private sender(route: VnodeRoute | undefined): PeerInfo | null {
    const peer = this.peer!;
    if (!route?.from) return peer;
    if (!peer.address) return null;
    const address = vnodeAddress(peer.address, route.from);
    return { address, id: hashId(address, this.self().bits).toString(16) };
  }

  /**
   * Stops reading from the peer for `ms`: a peer over its request rate is slowed by TCP's own
   * flow control (its sends wait in its buffers) instead of costing us a decode and a BUSY
   * answer per request.
   */
  private holdReads(ms: number): void {
    if (this.held || this.closed) return;
    this.held = setTimeout(() => {
      this.held = null;
      if (!this.closed) this.socket.resume();
    }, ms);
    this.held.unref();
    this.socket.pause();
  }

  private shutdown(reason: Error): void {
    if (this.closed) return;
    this.closed = true;
    if (this.held) clearTimeout(this.held);
    this.helloWaiter?.reject(reason);
    for (const p of this.pending.values()) p.reject(reason);
    this.pending.clear();
    if (!this.socket.destroyed) this.socket.end();
    this.socket.destroySoon?.();
  }
}
