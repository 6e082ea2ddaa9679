/** Test helpers for the tracker: temp dirs, a started tracker, and a raw-bytes TCP client. */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrackerServer, type TrackerServerOptions } from '../../src/tracker/tracker-server.js';

export function tempDir(prefix = 'p2pterm-tracker-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface StartedTracker {
  readonly server: TrackerServer;
  readonly port: number;
  readonly dbPath: string;
  readonly logs: string[];
  close(): Promise<void>;
}

/** A tracker on 127.0.0.1, port 0, with a fresh database in a temp dir. */
export async function startTracker(opts: Partial<TrackerServerOptions> = {}): Promise<StartedTracker> {
  const dir = tempDir();
  const logs: string[] = [];
  const dbPath = opts.dbPath ?? join(dir.path, 'tracker.db');
  const server = new TrackerServer({
    host: '127.0.0.1',
    port: 0,
    log: (l, m) => logs.push(`${l} ${m}`),
    ...opts,
    dbPath,
  });
  const address = await server.start();
  return {
    server,
    port: Number(address.split(':').pop()),
    dbPath,
    logs,
    close: async () => {
      await server.stop();
      dir.remove();
    },
  };
}

/** A TCP client that sends raw bytes and reads raw answers, with bounded waits. */
export class RawClient {
  #buf = Buffer.alloc(0);
  #waiters: (() => void)[] = [];
  #closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (c: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, c]);
      this.#wake();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
    socket.on('error', () => undefined); // a reset shows as `closed`, which the tests check
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host, noDelay: true }, () => {
        s.off('error', reject);
        resolve(new RawClient(s));
      });
      s.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  get received(): Buffer {
    return this.#buf;
  }

  send(data: string | Uint8Array): void {
    this.socket.write(data);
  }

  /** Waits until `take` finds a complete unit in the buffer; consumes and returns it. */
  async read<T>(take: (buf: Buffer) => { value: T; used: number } | null, timeoutMs = 3000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const got = take(this.#buf);
      if (got) {
        this.#buf = this.#buf.subarray(got.used);
        return got.value;
      }
      if (this.#closed) throw new Error(`connection closed; buffered: ${JSON.stringify(this.#buf.toString('latin1'))}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out; buffered: ${JSON.stringify(this.#buf.toString('latin1').slice(0, 300))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** One index-server answer: `{ status, lines }` with the record lines. */
  readResponse(timeoutMs?: number): Promise<ServerAnswer> {
    return this.read(takeServerAnswer, timeoutMs);
  }

  /** Resolves true once the server closed the connection (false on timeout). */
  async waitClosed(timeoutMs = 3000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.#closed;
  }

  close(): void {
    this.socket.destroy();
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }
}

export interface ServerAnswer {
  readonly statusLine: string;
  readonly status: number;
  readonly lines: string[];
  readonly raw: string;
}

/** Takes `status CRLF CRLF (record CRLF)* CRLF` from the start of the buffer. */
export function takeServerAnswer(buf: Buffer): { value: ServerAnswer; used: number } | null {
  const text = buf.toString('latin1');
  const statusEnd = text.indexOf('\r\n');
  if (statusEnd < 0 || text.length < statusEnd + 4) return null;
  if (text.slice(statusEnd + 2, statusEnd + 4) !== '\r\n')
    throw new Error(`no blank line after status: ${JSON.stringify(text.slice(0, 200))}`);
  const lines: string[] = [];
  let pos = statusEnd + 4;
  while (true) {
    const end = text.indexOf('\r\n', pos);
    if (end < 0) return null;
    if (end === pos) break;
    lines.push(text.slice(pos, end));
    pos = end + 2;
  }
  const statusLine = text.slice(0, statusEnd);
  const used = pos + 2;
  return { value: { statusLine, status: Number(statusLine.split(' ')[1]), lines, raw: text.slice(0, used) }, used };
}

/** A P2P-CI request with CRLF line ends and the final blank line. */
export function request(first: string, headers: Record<string, string | number>): string {
  return [first, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 10 ms until true or the timeout; returns the last result. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(10);
  }
  return check();
}
