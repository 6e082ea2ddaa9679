/**
 * The p2pterm peer's side of the tracker: register, announce, search, stay alive, come back.
 *
 * Invariants:
 * - the client keeps the desired state (registration + current file set) and the tracker
 *   converges to it: after every (re)connect it re-registers and re-announces the whole set
 *   with `replace`, so files deleted while the link was down are forgotten too;
 * - while connected it sends a heartbeat every `heartbeatMs` (5 s, then the tracker's hint from
 *   register, unless overridden); a heartbeat without an answer drops the link, which triggers
 *   a reconnect;
 * - after the first successful connect, a lost link is retried with exponential backoff
 *   (`reconnectMinMs` doubling to `reconnectMaxMs`, ±20 % jitter) until close();
 * - register/announce/unannounce while disconnected update the desired state and resolve;
 *   search/list need a live link and reject with TRACKER_UNAVAILABLE otherwise;
 * - every call is bounded by `requestTimeoutMs` per request and by its `signal` (ABORTED);
 *   an aborted call leaves the link up (a later answer is ignored) and the desired state set.
 */
import { EventEmitter } from 'node:events';
import { openTrackerConnection, type TrackerConnection } from './tracker-connection.js';
import type { AnnouncedFile, NativeResults, SearchMatch } from './native-protocol.js';
import { silentTrackerLog, type TrackerLog } from './peer-registry.js';
import {
  CLIENT_REQUEST_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_MS,
  MAX_ANNOUNCE_FILES,
  RECONNECT_MAX_MS,
  RECONNECT_MIN_MS,
} from './tracker-constants.js';
import { TrackerUnavailableError } from './tracker-errors.js';
import { splitAddress } from '../wire/address.js';

export type TrackerClientState = 'idle' | 'connected' | 'disconnected' | 'reconnecting' | 'closed';

export interface TrackerClientOptions {
  /** Tracker address "host:port". */
  readonly address: string;
  /** Bound on each request. Default 5 000 ms. */
  readonly requestTimeoutMs?: number;
  /** First reconnect delay. Default 100 ms. */
  readonly reconnectMinMs?: number;
  /** Longest reconnect delay. Default 5 000 ms. */
  readonly reconnectMaxMs?: number;
  /** Heartbeat period; default: 5 s until register, then what the tracker asks for. */
  readonly heartbeatMs?: number;
  /** Log sink. Default: discard. */
  readonly log?: TrackerLog;
  /** A private network's key: the connection is PSK TLS under it. Default: plain. */
  readonly networkKey?: Buffer;
}

/** Per-call options of the client's methods. */
export interface TrackerCallOptions {
  /** Ends the wait early (rejects with ABORTED, or with the signal's reason if it is an Error). */
  readonly signal?: AbortSignal;
}

export interface TrackerClientEvents {
  state: [TrackerClientState];
  /** The tracker accepted our registration (after every reconnect too). */
  registered: [{ host: string; port: number }];
}

export class TrackerClient extends EventEmitter<TrackerClientEvents> {
  readonly #host: string;
  readonly #port: number;
  readonly #timeout: number;
  readonly #log: TrackerLog;
  readonly #files = new Map<string, AnnouncedFile>();
  #registration: { host: string; port: number } | undefined;
  #conn: TrackerConnection | undefined;
  #state: TrackerClientState = 'idle';
  #heartbeat: NodeJS.Timeout | undefined;
  #retry: NodeJS.Timeout | undefined;
  #failures = 0;

  constructor(private readonly opts: TrackerClientOptions) {
    super();
    try {
      ({ host: this.#host, port: this.#port } = splitAddress(opts.address));
    } catch {
      throw new RangeError(`tracker address "${opts.address}" is not host:port`);
    }
    this.#timeout = opts.requestTimeoutMs ?? CLIENT_REQUEST_TIMEOUT_MS;
    this.#log = opts.log ?? silentTrackerLog;
  }

  get state(): TrackerClientState {
    return this.#state;
  }

  /** The files this peer currently announces. */
  get files(): AnnouncedFile[] {
    return [...this.#files.values()];
  }

  /**
   * Connects once (rejects if the tracker is unreachable); later losses reconnect by themselves.
   * With `keepTrying`, a first attempt that fails also goes on in the background, as a lost link
   * does (a tracker started after its peers is found). An aborted connect drops the half-made
   * link and leaves the client idle, to connect again.
   */
  async connect(opts: TrackerCallOptions & { keepTrying?: boolean } = {}): Promise<void> {
    if (this.#state !== 'idle') throw new Error(`connect() in state ${this.#state}`);
    try {
      await this.#open(opts.signal);
    } catch (e) {
      if (opts.signal?.aborted) this.#dropLink('connect aborted');
      else if (opts.keepTrying && !this.#conn && this.#state === 'idle') {
        this.#failures++;
        this.#scheduleReconnect();
      }
      throw e;
    }
  }

  /** Registers this peer's upload address (kept across reconnects) and announces the current set. */
  async register(host: string, uploadPort: number, opts: TrackerCallOptions = {}): Promise<void> {
    this.#registration = { host, port: uploadPort };
    if (this.#conn?.isOpen) await this.#restore(this.#conn, opts.signal);
  }

  /** Adds files to the announced set. */
  async announce(files: readonly AnnouncedFile[], opts: TrackerCallOptions = {}): Promise<void> {
    for (const f of files) this.#files.set(f.name, f);
    if (this.#conn?.isOpen && this.#registration) await this.#sendFiles(this.#conn, files, false, opts.signal);
  }

  /** Makes `files` the whole announced set (the tracker forgets the others). */
  async sync(files: readonly AnnouncedFile[], opts: TrackerCallOptions = {}): Promise<void> {
    this.#files.clear();
    for (const f of files) this.#files.set(f.name, f);
    if (this.#conn?.isOpen && this.#registration) await this.#sendFiles(this.#conn, files, true, opts.signal);
  }

  /** Stops announcing one file. Resolves true if the tracker had it. */
  async unannounce(name: string, opts: TrackerCallOptions = {}): Promise<boolean> {
    this.#files.delete(name);
    if (!this.#conn?.isOpen || !this.#registration) return false;
    return (await this.#conn.request('unannounce', { name }, this.#timeout, opts.signal)).removed;
  }

  /** Files whose name or title contains `text`, with every source and its online state. */
  async search(text: string, opts: TrackerCallOptions = {}): Promise<SearchMatch[]> {
    return (await this.#live().request('search', { text }, this.#timeout, opts.signal)).matches;
  }

  /** Every file the tracker knows (bounded by the tracker). */
  async list(opts: TrackerCallOptions = {}): Promise<SearchMatch[]> {
    return (await this.#live().request('list', {}, this.#timeout, opts.signal)).matches;
  }

  /** Closes the link for good; pending requests are rejected. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#setState('closed');
    this.#stopTimers();
    const conn = this.#conn;
    this.#conn = undefined;
    if (conn) {
      conn.destroy();
      await conn.closed;
    }
  }

  #live(): TrackerConnection {
    if (!this.#conn?.isOpen)
      throw new TrackerUnavailableError(`not connected to tracker ${this.opts.address} (${this.#state})`);
    return this.#conn;
  }

  async #open(signal?: AbortSignal): Promise<void> {
    const conn = await openTrackerConnection(this.#host, this.#port, this.#timeout, signal, this.opts.networkKey);
    if (this.#state === 'closed') return conn.destroy();
    this.#conn = conn;
    void conn.closed.then((reason) => this.#onLost(conn, reason));
    this.#startHeartbeat(conn, this.opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
    await this.#restore(conn, signal);
    this.#failures = 0;
    if (conn.isOpen && this.state !== 'closed') this.#setState('connected');
  }

  /** Re-registers and re-announces the whole desired state on a fresh link. */
  async #restore(conn: TrackerConnection, signal?: AbortSignal): Promise<void> {
    if (!this.#registration) return;
    await this.#sendRegister(conn, signal);
    await this.#sendFiles(conn, this.files, true, signal);
  }

  async #sendRegister(conn: TrackerConnection, signal?: AbortSignal): Promise<void> {
    const r = this.#registration!;
    const reply: NativeResults['register'] = await conn.request('register', r, this.#timeout, signal);
    this.#startHeartbeat(conn, this.opts.heartbeatMs ?? reply.heartbeatMs);
    this.emit('registered', { host: reply.host, port: reply.port });
  }

  async #sendFiles(
    conn: TrackerConnection,
    files: readonly AnnouncedFile[],
    replace: boolean,
    signal?: AbortSignal,
  ): Promise<void> {
    for (let i = 0; i === 0 || i < files.length; i += MAX_ANNOUNCE_FILES) {
      const batch = files.slice(i, i + MAX_ANNOUNCE_FILES);
      await conn.request('announce', { files: batch, replace: replace && i === 0 }, this.#timeout, signal);
    }
  }

  #startHeartbeat(conn: TrackerConnection, every: number): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = setInterval(() => {
      conn
        .request('heartbeat', {}, Math.min(this.#timeout, every * 2))
        .catch((e: Error) => conn.destroy(`heartbeat failed: ${e.message}`));
    }, every);
    this.#heartbeat.unref();
  }

  #onLost(conn: TrackerConnection, reason: string): void {
    if (conn !== this.#conn || this.#state === 'closed') return;
    this.#conn = undefined;
    this.#stopTimers();
    this.#log('warn', `tracker link lost: ${reason}`);
    this.#setState('disconnected');
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    const min = this.opts.reconnectMinMs ?? RECONNECT_MIN_MS;
    const max = this.opts.reconnectMaxMs ?? RECONNECT_MAX_MS;
    const base = Math.min(max, min * 2 ** Math.min(this.#failures, 20));
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.#setState('reconnecting');
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#open().catch((e: Error) => {
        this.#failures++;
        this.#log('debug', `tracker reconnect failed: ${e.message}`);
        this.#conn?.destroy(`restore failed: ${e.message}`);
        if (!this.#conn && this.#state !== 'closed') this.#scheduleReconnect();
      });
    }, delay);
  }

  /** Forgets the current link without reconnecting (the client stays in its state). */
  #dropLink(reason: string): void {
    const conn = this.#conn;
    this.#conn = undefined;
    this.#stopTimers();
    conn?.destroy(reason);
  }

  #stopTimers(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    if (this.#retry) clearTimeout(this.#retry);
    this.#heartbeat = this.#retry = undefined;
  }

  #setState(s: TrackerClientState): void {
    if (s === this.#state) return;
    this.#state = s;
    this.emit('state', s);
  }
}
