/**
 * One process, V virtual nodes (`--vnodes V`): V ring members share one Transport, so one
 * listening port and one pooled connection per peer process. Each member gets a view of it
 * (`view(i)`), a Transport of its own whose address is "host:port" for i = 0 and "host:port/i"
 * after (see wire/address.ts); a request names the target and the sending virtual node, and
 * the receiving process hands it to the member registered for that index.
 *
 * Invariants:
 * - virtual node 0 listens first: the process's hello is its identity, whose id is the hash of
 *   the plain "host:port" (the honest-address probe checks exactly that);
 * - a request for a virtual node not running here fails with NO_VNODE, as a node that is down;
 * - requests between virtual nodes of this process are served in-process, never sent out, and
 *   fail (or succeed) as a remote call would: errors arrive as RemoteError with their code;
 * - the shared transport closes when the last view closes.
 */
import { hashId } from '../core/ring-math.js';
import { hostOf, splitVnode, vnodeAddress } from '../wire/address.js';
import { errorCode, P2pError, raceAbort, RemoteError } from '../wire/errors.js';
import type { RequestBody, RequestType, ResponseBody } from '../wire/messages.js';
import type { LocalIdentity, PeerInfo, RequestHandler, RequestOptions, Transport } from './transport.js';

export class VnodeHost {
  private base: Transport | null = null;
  private listening: Promise<string> | null = null;
  private readonly handlers = new Map<number, RequestHandler>();
  private bits = 160;
  /** The process's "host:port", once listening. */
  address: string | null = null;

  /** `make` builds the one real transport, given virtual node 0's identity (the hello's). */
  constructor(private readonly make: (identity: () => LocalIdentity) => Transport | Promise<Transport>) {}

  /** Virtual node `index`'s transport (what its ChordNode's transport factory returns). */
  view(index: number, identity: () => LocalIdentity): Transport {
    return new VnodeTransport(this, index, identity);
  }

  /** Indexes of the virtual nodes listening now. */
  running(): number[] {
    return [...this.handlers.keys()].sort((a, b) => a - b);
  }

  /** @internal */
  async listen(index: number, handler: RequestHandler, identity: () => LocalIdentity): Promise<string> {
    if (this.handlers.has(index)) throw new P2pError('ADDRESS_IN_USE', `virtual node ${index} is already listening`);
    if (!this.listening) {
      if (index !== 0) throw new P2pError('NOT_STARTED', 'virtual node 0 must start first');
      this.bits = identity().bits;
      this.listening = (async () => {
        this.base = await this.make(identity);
        return this.base.listen((type, body, from, vnode) => this.dispatch(type, body, from, vnode ?? 0));
      })();
      this.listening.catch(() => (this.listening = null));
    }
    this.address = await this.listening;
    this.handlers.set(index, handler);
    return vnodeAddress(this.address, index);
  }

  /** @internal */
  request<T extends RequestType>(
    fromIndex: number,
    to: string,
    type: T,
    body: RequestBody<T>,
    opts: RequestOptions,
  ): Promise<ResponseBody<T>> {
    if (!this.base || !this.address)
      return Promise.reject(new P2pError('NOT_STARTED', 'the transport is not listening'));
    if (hostOf(to) === this.address) return this.local(fromIndex, to, type, body, opts);
    return this.base.request(to, type, body, fromIndex ? { ...opts, fromVnode: fromIndex } : opts);
  }

  /** @internal The tag of the connection to `to` (see Transport.connectionTag); a running member of this process: 0. */
  connectionTag(to: string): number | null {
    if (this.address && hostOf(to) === this.address) return this.handlers.has(splitVnode(to).vnode) ? 0 : null;
    return this.base?.connectionTag?.(to) ?? null;
  }

  /** @internal See Transport.closesSeen. */
  closesSeen(): Promise<void> {
    return this.base?.closesSeen?.() ?? Promise.resolve();
  }

  /** @internal */
  async close(index: number): Promise<void> {
    this.handlers.delete(index);
    if (this.handlers.size > 0 || !this.base) return;
    const base = this.base;
    this.base = null;
    this.listening = null;
    await base.close();
  }

  private dispatch<T extends RequestType>(
    type: T,
    body: RequestBody<T>,
    from: PeerInfo,
    vnode: number,
  ): Promise<ResponseBody<T>> {
    const h = this.handlers.get(vnode);
    if (!h) return Promise.reject(new P2pError('NO_VNODE', `virtual node ${vnode} is not running here`));
    return h(type, body, from, vnode);
  }

  /** A request to a sibling virtual node, answered in-process. */
  private async local<T extends RequestType>(
    fromIndex: number,
    to: string,
    type: T,
    body: RequestBody<T>,
    opts: RequestOptions,
  ): Promise<ResponseBody<T>> {
    const { vnode } = splitVnode(to);
    const address = vnodeAddress(this.address!, fromIndex);
    const from = { id: hashId(address, this.bits).toString(16), address };
    await Promise.resolve(); // served after the caller's current step, as a message would be
    const served = this.dispatch(type, body, from, vnode).catch((e: unknown) => {
      throw new RemoteError(errorCode(e), (e as Error).message);
    });
    return opts.signal ? raceAbort(served, opts.signal, `${type} to ${to}`) : served;
  }
}

/** One virtual node's view of the shared transport. */
class VnodeTransport implements Transport {
  private listening = false;

  constructor(
    private readonly host: VnodeHost,
    private readonly index: number,
    private readonly identity: () => LocalIdentity,
  ) {}

  async listen(handler: RequestHandler): Promise<string> {
    const address = await this.host.listen(this.index, handler, this.identity);
    this.listening = true;
    return address;
  }

  request<T extends RequestType>(
    to: string,
    type: T,
    body: RequestBody<T>,
    opts: RequestOptions = {},
  ): Promise<ResponseBody<T>> {
    return this.host.request(this.index, to, type, body, opts);
  }

  connectionTag(to: string): number | null {
    return this.host.connectionTag(to);
  }

  closesSeen(): Promise<void> {
    return this.host.closesSeen();
  }

  async close(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    await this.host.close(this.index);
  }
}
