/**
 * An in-memory network for simulations: every node gets a MemoryTransport on a shared
 * MemoryNetwork driven by a Clock (usually the VirtualClock). Knobs: latency, loss,
 * partitions and crashes. Messages are passed as objects (no encoding): the wire codec is
 * tested on its own, and this keeps 65,536-node rings fast.
 *
 * Invariants:
 * - a request to a crashed, partitioned or unknown address, or one that is lost, fails with
 *   RpcTimeoutError exactly `timeoutMs` after it was sent;
 * - a request to a slow host (`slow`) is handled that much later, and fails with RpcTimeoutError
 *   `timeoutMs` after it was sent when its answer would come later than that;
 * - with latency 0 delivery happens on the microtask queue, in send order;
 * - a process is one endpoint: "host:port/i" reaches virtual node i of the endpoint "host:port"
 *   (crashes and partitions apply to the whole process).
 */
import type { Clock } from '../core/clock.js';
import { DEFAULT_RPC_TIMEOUT_MS } from '../core/constants.js';
import { seededRandom } from '../core/random.js';
import {
  abortReason,
  IncompatiblePeerError,
  RemoteError,
  RpcTimeoutError,
  UnreachableError,
  errorCode,
  raceAbort,
} from '../wire/errors.js';
import type { RequestBody, RequestType, ResponseBody } from '../wire/messages.js';
import { hostOf, vnodeAddress } from '../wire/address.js';
import { hashId } from '../core/ring-math.js';
import type { LocalIdentity, RequestHandler, RequestOptions, Transport } from './transport.js';

export interface MemoryNetworkOptions {
  readonly clock: Clock;
  /** One-way delay in ms (default 0). */
  readonly latencyMs?: number;
  /** Probability that a message is lost (default 0). */
  readonly loss?: number;
  readonly seed?: number;
  readonly timeoutMs?: number;
}

interface Endpoint {
  handler: RequestHandler;
  identity: LocalIdentity;
  /** Distinct per listening endpoint: a crashed and restarted address gets a new one. */
  tag: number;
}

export class MemoryNetwork {
  latencyMs: number;
  loss: number;
  readonly timeoutMs: number;
  readonly clock: Clock;
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly group = new Map<string, number>();
  /** Hosts that answer late, by how much (ms). */
  private readonly slowness = new Map<string, number>();
  /** Hosts crashed and not started again: what they still try to send goes nowhere. */
  private readonly crashed = new Set<string>();
  private readonly random: () => number;
  /** Requests sent so far (for "RPCs per lookup" figures). */
  requests = 0;
  /** The same, by message type. */
  readonly requestsByType = new Map<RequestType, number>();
  /** Sees every request as it is sent (a test records what went where, in order). */
  onSend: ((from: string, to: string, type: RequestType, body: unknown) => void) | null = null;
  private tags = 0;

  constructor(opts: MemoryNetworkOptions) {
    this.clock = opts.clock;
    this.latencyMs = opts.latencyMs ?? 0;
    this.loss = opts.loss ?? 0;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS;
    this.random = seededRandom(opts.seed ?? 1);
  }

  transport(address: string, identity: () => LocalIdentity): MemoryTransport {
    return new MemoryTransport(this, address, identity);
  }

  /** Crash: the address stops answering, and sending, at once (its state is simply gone). */
  crash(address: string): void {
    this.endpoints.delete(hostOf(address));
    this.crashed.add(hostOf(address));
  }

  /** Whether the process of `address` is up. */
  isUp(address: string): boolean {
    return this.endpoints.has(hostOf(address));
  }

  /** The tag of the endpoint listening at `address` (as a connection to it would be), or null. */
  endpointTag(address: string): number | null {
    return this.endpoints.get(address)?.tag ?? null;
  }

  /** @internal */
  nextTag(): number {
    return ++this.tags;
  }

  /** `address`'s host handles every request `ms` after it arrives (a loaded process); 0: on time again. */
  slow(address: string, ms: number): void {
    if (ms > 0) this.slowness.set(hostOf(address), ms);
    else this.slowness.delete(hostOf(address));
  }

  /** Splits the network: addresses in different groups cannot reach each other. */
  partition(groups: readonly (readonly string[])[]): void {
    this.group.clear();
    groups.forEach((g, i) => {
      for (const a of g) this.group.set(hostOf(a), i + 1);
    });
  }

  heal(): void {
    this.group.clear();
  }

  /** @internal */
  register(address: string, ep: Endpoint): void {
    address = hostOf(address);
    if (this.endpoints.has(address)) throw new UnreachableError(address, 'address already in use');
    this.endpoints.set(address, ep);
    this.crashed.delete(address);
  }

  /** @internal */
  unregister(address: string, ep: Endpoint): void {
    address = hostOf(address);
    if (this.endpoints.get(address) === ep) this.endpoints.delete(address);
  }

  /** @internal */
  send(
    from: string,
    fromIdentity: LocalIdentity,
    to: string,
    type: RequestType,
    body: unknown,
    timeoutMs: number,
    fromVnode = 0,
  ): Promise<unknown> {
    this.requests++;
    this.requestsByType.set(type, (this.requestsByType.get(type) ?? 0) + 1);
    this.onSend?.(from, to, type, body);
    const sender = vnodeAddress(from, fromVnode);
    const fromId = fromVnode ? hashId(sender, fromIdentity.bits).toString(16) : fromIdentity.id;
    const vnode = to === hostOf(to) ? 0 : Number(to.slice(to.lastIndexOf('/') + 1));
    const sentAt = this.clock.now();
    const slowMs = this.slowness.get(hostOf(to)) ?? 0;
    return new Promise((resolve, reject) => {
      const timeout = () => this.at(sentAt + timeoutMs, () => reject(new RpcTimeoutError(to, type, timeoutMs)));
      if (!this.canReach(from, to) || this.crashed.has(hostOf(from)) || this.lost()) return timeout();
      // A slow host's answer may come too late: the timeout is armed, and wins if it fires first.
      if (slowMs > 0) timeout();
      this.deliver(slowMs, () => {
        const ep = this.endpoints.get(hostOf(to));
        if (!ep || !this.canReach(from, to)) return timeout();
        if (ep.identity.routing !== fromIdentity.routing || ep.identity.bits !== fromIdentity.bits) {
          return reject(
            new IncompatiblePeerError(
              `${to} runs ${ep.identity.routing} routing with ${ep.identity.bits}-bit ids; this node runs ${fromIdentity.routing} with ${fromIdentity.bits}`,
            ),
          );
        }
        ep.handler(type, body as never, { id: fromId, address: sender }, vnode).then(
          (result) => this.reply(from, to, () => resolve(result), timeout),
          (e) => this.reply(from, to, () => reject(new RemoteError(errorCode(e), (e as Error).message)), timeout),
        );
      });
    });
  }

  private reply(from: string, to: string, settle: () => void, timeout: () => void): void {
    if (!this.endpoints.has(hostOf(to)) || this.lost()) return timeout();
    this.deliver(0, () => (this.canReach(to, from) ? settle() : timeout()));
  }

  private canReach(a: string, b: string): boolean {
    return (this.group.get(hostOf(a)) ?? 0) === (this.group.get(hostOf(b)) ?? 0);
  }

  private lost(): boolean {
    return this.loss > 0 && this.random() < this.loss;
  }

  private deliver(extraMs: number, fn: () => void): void {
    if (this.latencyMs + extraMs > 0) this.clock.setTimeout(fn, this.latencyMs + extraMs);
    else queueMicrotask(fn);
  }

  private at(time: number, fn: () => void): void {
    this.clock.setTimeout(fn, Math.max(0, time - this.clock.now()));
  }
}

export class MemoryTransport implements Transport {
  private endpoint: Endpoint | null = null;

  constructor(
    private readonly network: MemoryNetwork,
    readonly address: string,
    private readonly identity: () => LocalIdentity,
  ) {}

  async listen(handler: RequestHandler): Promise<string> {
    this.endpoint = { handler, identity: this.identity(), tag: this.network.nextTag() };
    this.network.register(this.address, this.endpoint);
    return this.address;
  }

  request<T extends RequestType>(
    to: string,
    type: T,
    body: RequestBody<T>,
    opts: RequestOptions = {},
  ): Promise<ResponseBody<T>> {
    const timeoutMs = opts.timeoutMs ?? this.network.timeoutMs;
    if (opts.signal?.aborted) return Promise.reject(abortReason(opts.signal, `${type} to ${to}`));
    const sent = this.network.send(this.address, this.identity(), to, type, body, timeoutMs, opts.fromVnode);
    return raceAbort(sent as Promise<ResponseBody<T>>, opts.signal, `${type} to ${to}`);
  }

  connectionTag(to: string): number | null {
    return this.network.endpointTag(hostOf(to));
  }

  async close(): Promise<void> {
    if (this.endpoint) this.network.unregister(this.address, this.endpoint);
    this.endpoint = null;
  }
}
