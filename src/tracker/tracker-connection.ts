/**
 * One native-protocol connection from a p2pterm peer to the tracker: requests with ids,
 * answers matched by id, every wait bounded.
 *
 * Invariants:
 * - every request settles: with its answer, its timeout, its caller's abort (ABORTED unless the
 *   signal's reason is an Error) or the connection's close;
 * - inbound lines are hostile: each is parsed by its zod schema; a malformed or oversized
 *   line closes the connection (the tracker is broken or not a tracker);
 * - `closed` resolves exactly once, after every pending request has been rejected.
 */
import { connect, type Socket } from 'node:net';
import type { z } from 'zod';
import {
  nativeReplyEnvelope,
  nativeResultSchemas,
  type NativeRequest,
  type NativeRequestType,
  type NativeResults,
} from './native-protocol.js';
import { abortReason } from '../wire/errors.js';
import { describeSocketError, pskConnect } from '../transport/psk-tls.js';
import { MAX_NATIVE_LINE_BYTES, NATIVE_MAGIC } from './tracker-constants.js';
import { TrackerRemoteError, TrackerTimeoutError, TrackerUnavailableError } from './tracker-errors.js';

type Body<T extends NativeRequestType> = Omit<Extract<NativeRequest, { type: T }>, 'id' | 'type'>;

interface Pending {
  readonly type: NativeRequestType;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

/**
 * Opens a connection and sends the magic line; rejects if the tracker is unreachable, after
 * `timeoutMs`, or when `signal` aborts. With `networkKey` (a private network) the connection
 * is PSK TLS under that key.
 */
export function openTrackerConnection(
  host: string,
  port: number,
  timeoutMs: number,
  signal?: AbortSignal,
  networkKey?: Buffer,
): Promise<TrackerConnection> {
  const what = `connecting to tracker ${host}:${port}`;
  if (signal?.aborted) return Promise.reject(abortReason(signal, what));
  return new Promise((resolve, reject) => {
    const socket = networkKey ? pskConnect(host, port, networkKey) : connect({ host, port, noDelay: true });
    const timer = setTimeout(() => fail(new TrackerTimeoutError('connect', timeoutMs)), timeoutMs);
    const onAbort = (): void => fail(abortReason(signal!, what));
    const settle = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('error', onError);
    };
    const fail = (e: Error): void => {
      settle();
      socket.destroy();
      reject(e);
    };
    const onError = (e: Error): void =>
      fail(
        new TrackerUnavailableError(
          `cannot reach tracker ${host}:${port}: ${describeSocketError(`${host}:${port}`, e)}`,
        ),
      );
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once(networkKey ? 'secureConnect' : 'connect', () => {
      settle();
      socket.write(`${NATIVE_MAGIC}\n`);
      resolve(new TrackerConnection(socket, `${host}:${port}`));
    });
  });
}

export class TrackerConnection {
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #buf: Buffer = Buffer.alloc(0);
  #closeReason = '';
  readonly closed: Promise<string>;

  constructor(
    private readonly socket: Socket,
    readonly address: string,
  ) {
    socket.on('data', (c: Buffer) => this.#onData(c));
    socket.on('error', (e) => (this.#closeReason ||= e.message));
    this.closed = new Promise((resolve) => socket.once('close', () => resolve(this.#onClose())));
  }

  get isOpen(): boolean {
    return !this.socket.destroyed;
  }

  /**
   * Sends one request and waits (at most `timeoutMs`, and until `signal` aborts) for its answer.
   * An aborted request's answer, if it comes, is ignored.
   */
  request<T extends NativeRequestType>(
    type: T,
    body: Body<T>,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<NativeResults[T]> {
    if (signal?.aborted) return Promise.reject(abortReason(signal, `tracker ${type}`));
    if (!this.isOpen) return Promise.reject(new TrackerUnavailableError(`not connected to tracker ${this.address}`));
    const id = this.#nextId++;
    return new Promise<NativeResults[T]>((resolve, reject) => {
      const timer = setTimeout(() => this.#settle(id)?.reject(new TrackerTimeoutError(type, timeoutMs)), timeoutMs);
      const onAbort = (): void => this.#settle(id)?.reject(abortReason(signal!, `tracker ${type}`));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, { type, resolve: resolve as (v: unknown) => void, reject, timer, signal, onAbort });
      this.socket.write(JSON.stringify({ id, type, ...body }) + '\n');
    });
  }

  /** Closes the connection; pending requests are rejected. */
  destroy(reason = 'closed by us'): void {
    this.#closeReason ||= reason;
    this.socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    for (let nl = this.#buf.indexOf(0x0a); nl >= 0; nl = this.#buf.indexOf(0x0a)) {
      const line = this.#buf.subarray(0, nl).toString('utf8');
      this.#buf = this.#buf.subarray(nl + 1);
      if (line.trim() !== '') this.#onLine(line);
      if (!this.isOpen) return;
    }
    if (this.#buf.length > MAX_NATIVE_LINE_BYTES) this.destroy('tracker sent an oversized line');
  }

  #onLine(line: string): void {
    let envelope: z.infer<typeof nativeReplyEnvelope>;
    try {
      envelope = nativeReplyEnvelope.parse(JSON.parse(line));
    } catch (e) {
      return this.destroy(`tracker sent a malformed line (${(e as Error).message.slice(0, 200)})`);
    }
    if (envelope.id === null)
      return this.destroy(`tracker refused a line: ${'message' in envelope ? envelope.message : ''}`);
    const pending = this.#settle(envelope.id);
    if (!pending) return;
    if (envelope.ok === false) return pending.reject(new TrackerRemoteError(envelope.code, envelope.message));
    const result = nativeResultSchemas[pending.type].safeParse(envelope);
    if (result.success) pending.resolve(result.data);
    else pending.reject(new TrackerRemoteError('BAD_REPLY', `malformed ${pending.type} answer from tracker`));
  }

  #settle(id: number): Pending | undefined {
    const p = this.#pending.get(id);
    if (!p) return undefined;
    this.#pending.delete(id);
    clearTimeout(p.timer);
    p.signal?.removeEventListener('abort', p.onAbort);
    return p;
  }

  #onClose(): string {
    const reason = this.#closeReason || 'tracker closed the connection';
    for (const id of [...this.#pending.keys()])
      this.#settle(id)?.reject(new TrackerUnavailableError(`tracker connection lost: ${reason}`));
    return reason;
  }
}
