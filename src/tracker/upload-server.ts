/**
 * A peer's P2P-CI/1.0 upload server: answers `GET RFC n P2P-CI/1.0` with the file shared as
 * `rfcN.txt` in one shared directory, then closes.
 *
 * Invariants:
 * - one request per connection; the answer is 200 with an exact Content-Length and the body,
 *   or 400/404/505 with no body; the connection is closed after it;
 * - only regular files directly in the shared directory are served: symlinks leading outside
 *   it and anything that is not a regular file are 404;
 * - the body streams from disk with backpressure and never exceeds Content-Length, even if
 *   the file grows meanwhile (a file that shrinks mid-transfer aborts the connection);
 * - a client must send its request within `requestTimeoutMs`; a reader that stops reading
 *   for UPLOAD_IDLE_MS is dropped.
 */
import { constants, createReadStream, promises as fsp } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { type as osType, release as osRelease } from 'node:os';
import { join, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { P2pCiParser, formatGetResponseHead, type ParseOutcome } from './p2p-ci-codec.js';
import { silentTrackerLog, type TrackerLog } from './peer-registry.js';
import {
  IDLE_COMPLETE_MS,
  STALL_MS,
  UPLOAD_IDLE_MS,
  UPLOAD_MAX_CONNS_PER_IP,
  UPLOAD_REQUEST_MS,
} from './tracker-constants.js';
import { P2pCiParseError, type P2pCiStatus } from './tracker-errors.js';

export { fetchRfc, type FetchRfcOptions, type FetchRfcResult } from './fetch-rfc.js';

export interface UploadServerOptions {
  /** The shared directory; `rfcN.txt` in it is RFC N. */
  readonly dir: string;
  /** Address to listen on. Default '0.0.0.0'. */
  readonly host?: string;
  /** Port; 0 (default) picks a free one. */
  readonly port?: number;
  /** Sent in the OS header. Default: this machine's OS type and release. */
  readonly os?: string;
  /** Time a client has to send its GET. Default 10 000 ms. */
  readonly requestTimeoutMs?: number;
  /** Simultaneous connections per IP address. Default 16. */
  readonly maxConnsPerIp?: number;
  /** Log sink. Default: discard. */
  readonly log?: TrackerLog;
}

export class UploadServer {
  readonly #sockets = new Set<Socket>();
  readonly #perIp = new Map<string, number>();
  readonly #os: string;
  readonly #log: TrackerLog;
  #server: Server | undefined;
  #root = '';
  #port = 0;

  constructor(private readonly opts: UploadServerOptions) {
    this.#os = opts.os ?? `${osType()} ${osRelease()}`;
    this.#log = opts.log ?? silentTrackerLog;
  }

  get port(): number {
    return this.#port;
  }

  /** Listens; resolves to "host:port". */
  async start(): Promise<string> {
    if (this.#server) throw new Error('upload server already started');
    this.#root = await fsp.realpath(this.opts.dir);
    const server = createServer({ noDelay: true }, (s) => this.#onConnection(s));
    this.#server = server;
    const host = this.opts.host ?? '0.0.0.0';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port ?? 0, host, () => resolve());
    });
    this.#port = (server.address() as { port: number }).port;
    return `${host}:${this.#port}`;
  }

  /** Serves sockets handed over by another server (the node's port) without listening itself. */
  async prepare(): Promise<void> {
    this.#root = await fsp.realpath(this.opts.dir);
  }

  /** Takes over a connection whose first bytes (`first`) were already read elsewhere. */
  acceptSocket(socket: Socket, first: Buffer): void {
    socket.pause();
    socket.unshift(first);
    this.#onConnection(socket);
    socket.resume();
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.#sockets) s.destroy();
    await closed;
  }

  #onConnection(socket: Socket): void {
    const ip = socket.remoteAddress ?? '?';
    if ((this.#perIp.get(ip) ?? 0) >= (this.opts.maxConnsPerIp ?? UPLOAD_MAX_CONNS_PER_IP))
      return void socket.destroy();
    this.#perIp.set(ip, (this.#perIp.get(ip) ?? 0) + 1);
    this.#sockets.add(socket);
    socket.once('close', () => {
      this.#sockets.delete(socket);
      const n = (this.#perIp.get(ip) ?? 1) - 1;
      if (n <= 0) this.#perIp.delete(ip);
      else this.#perIp.set(ip, n);
    });
    socket.on('error', (e) => this.#log('debug', `upload ${ip}: ${e.message}`));
    socket.setTimeout(this.opts.requestTimeoutMs ?? UPLOAD_REQUEST_MS, () => socket.destroy());
    this.#readRequest(socket);
  }

  #readRequest(socket: Socket): void {
    const parser = new P2pCiParser();
    let quiet: NodeJS.Timeout | undefined;
    const done = (outcome: ParseOutcome): void => {
      clearTimeout(quiet);
      socket.off('data', onData);
      void this.#answer(socket, outcome);
    };
    const onData = (chunk: Buffer): void => {
      clearTimeout(quiet);
      parser.feed(chunk);
      const outcome = parser.next();
      if (outcome) return done(outcome);
      quiet = setTimeout(() => {
        const idle = parser.tryCompleteIdle();
        if (idle) return done(idle);
        quiet = setTimeout(() => {
          const forced = parser.forceComplete(STALL_MS);
          if (forced) done(forced);
        }, STALL_MS);
      }, IDLE_COMPLETE_MS);
    };
    socket.on('data', onData);
    socket.once('close', () => clearTimeout(quiet));
  }

  async #answer(socket: Socket, outcome: ParseOutcome): Promise<void> {
    if (outcome instanceof P2pCiParseError) return this.#refuse(socket, outcome.status);
    if (outcome.method !== 'GET') return this.#refuse(socket, 400);
    const file = await this.#open(outcome.rfc);
    if (!file) return this.#refuse(socket, 404);
    try {
      const { handle, size, mtime } = file;
      socket.setTimeout(UPLOAD_IDLE_MS);
      socket.write(
        formatGetResponseHead({ status: 200, os: this.#os, date: new Date(), lastModified: mtime, length: size }),
      );
      const body = createReadStream('', { fd: handle, start: 0, end: Math.max(0, size - 1), autoClose: false });
      if (size > 0) await pipeline(body, socket, { end: false });
      if (size > 0 && body.bytesRead < size) throw new Error(`file shrank to ${body.bytesRead} of ${size} bytes`);
      socket.end();
      this.#log('debug', `served RFC ${outcome.rfc} (${size} bytes) to ${socket.remoteAddress}`);
    } catch (e) {
      this.#log('warn', `upload of RFC ${outcome.rfc} aborted: ${(e as Error).message}`);
      socket.destroy();
    } finally {
      await file.handle.close();
    }
  }

  #refuse(socket: Socket, status: P2pCiStatus): void {
    socket.end(formatGetResponseHead({ status, os: this.#os, date: new Date() }));
  }

  /** Opens `rfcN.txt` (any case) if it is a regular file inside the shared directory. */
  async #open(rfc: number): Promise<{ handle: fsp.FileHandle; size: number; mtime: Date } | undefined> {
    const wanted = `rfc${rfc}.txt`;
    const name = await this.#findName(wanted);
    if (!name) return undefined;
    try {
      const real = await fsp.realpath(join(this.#root, name));
      if (!real.startsWith(this.#root + sep)) return undefined;
      const handle = await fsp.open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
      const st = await handle.stat().catch(async (e: unknown) => {
        await handle.close(); // a failed stat must not leave the descriptor open
        throw e;
      });
      if (st.isFile()) return { handle, size: st.size, mtime: st.mtime };
      await handle.close();
    } catch {
      // vanished, unreadable or swapped for a symlink: not found
    }
    return undefined;
  }

  /** `wanted` itself if present, else a case-insensitive match (RFC7.TXT), else undefined. */
  async #findName(wanted: string): Promise<string | undefined> {
    // Any failure means "not under that name": #open checks what it finally opens anyway.
    const exact = await fsp.lstat(join(this.#root, wanted)).then(
      () => true,
      () => false,
    );
    if (exact) return wanted;
    const names = await fsp.readdir(this.#root).catch((e: Error) => {
      this.#log('debug', `cannot list ${this.#root} for ${wanted}: ${e.message}`);
      return [] as string[];
    });
    return names.find((n) => n.toLowerCase() === wanted);
  }
}
