/**
 * One native (p2pterm, JSON lines) connection to the tracker.
 *
 * Invariants:
 * - each line is answered by exactly one line, in order (`id` echoes the request's);
 * - a line longer than MAX_NATIVE_LINE_BYTES gets an error and a close; malformed JSON or a
 *   message its schema rejects gets an error and the connection lives on;
 * - silence longer than `livenessMs` (no request, not even a heartbeat) marks the peer offline
 *   and closes the connection: a peer is offline at most livenessMs after its last word;
 * - at most REQUESTS_PER_TURN lines are handled before yielding to other connections.
 */
import type { Socket } from 'node:net';
import { describeIssues, nativeRequestSchema } from './native-protocol.js';
import {
  NativeRequestError,
  handleNativeRequest,
  type NativeContext,
  type NativePeerState,
} from './native-handlers.js';
import type { TrackerLog } from './peer-registry.js';
import type { PeerRow } from './tracker-index.js';
import { SocketFlow } from './socket-flow.js';
import { MAX_NATIVE_LINE_BYTES, MAX_PENDING_OUTPUT, REQUESTS_PER_TURN } from './tracker-constants.js';

export interface NativeSessionOptions extends NativeContext {
  readonly log: TrackerLog;
  readonly livenessMs: number;
}

const EMPTY = Buffer.alloc(0);

export class NativeSession implements NativePeerState {
  peer: PeerRow | undefined;
  readonly #flow: SocketFlow;
  #buf: Buffer = EMPTY;
  #busy = false;

  constructor(
    private readonly socket: Socket,
    readonly label: string,
    private readonly opts: NativeSessionOptions,
  ) {
    this.#flow = new SocketFlow(socket, MAX_PENDING_OUTPUT);
    socket.setTimeout(opts.livenessMs, () => this.#onSilent());
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.once('close', () => opts.registry.release(this, 'connection closed'));
  }

  start(initial: Buffer): void {
    if (initial.length > 0) this.#onData(initial);
  }

  #onData(chunk: Buffer): void {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    if (!this.#busy) this.#pump();
  }

  #pump(): void {
    this.#flow.batch(() => this.#pumpBatch());
  }

  #pumpBatch(): void {
    for (let handled = 0; handled < REQUESTS_PER_TURN; handled++) {
      const nl = this.#buf.indexOf(0x0a);
      if (nl < 0) return this.#checkLength();
      const line = this.#buf.subarray(0, nl).toString('utf8').trim();
      this.#buf = this.#buf.subarray(nl + 1);
      if (line !== '') this.#handleLine(line);
      if (this.#flow.closed) return;
    }
    this.#busy = true;
    this.#flow.yieldThen(() => {
      this.#busy = false;
      this.#pump();
    });
  }

  #checkLength(): void {
    if (this.#buf.length <= MAX_NATIVE_LINE_BYTES) return;
    this.#buf = EMPTY;
    this.#flow.finish(errorLine(null, 'LINE_TOO_LONG', `line longer than ${MAX_NATIVE_LINE_BYTES} bytes`));
  }

  #handleLine(line: string): void {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      return this.#flow.send(errorLine(null, 'BAD_JSON', 'line is not JSON'));
    }
    const parsed = nativeRequestSchema.safeParse(json);
    const id = idOf(json);
    if (!parsed.success) return this.#flow.send(errorLine(id, 'BAD_REQUEST', describeIssues(parsed.error)));
    try {
      const result = handleNativeRequest(parsed.data, this, this.opts);
      this.#flow.send(JSON.stringify({ id: parsed.data.id, ok: true, ...result }) + '\n');
    } catch (e) {
      this.#flow.send(this.#failure(parsed.data.id, e));
    }
  }

  #failure(id: number, e: unknown): string {
    if (e instanceof NativeRequestError) return errorLine(id, e.code, e.message);
    this.opts.log('error', `${this.label}: ${e instanceof Error ? e.message : String(e)}`);
    return errorLine(id, 'INTERNAL', 'the tracker failed to handle this request');
  }

  #onSilent(): void {
    this.opts.log('info', `${this.label}: silent for ${this.opts.livenessMs} ms, disconnecting`);
    this.opts.registry.release(this, `silent for ${this.opts.livenessMs} ms`);
    this.socket.destroy();
  }
}

function idOf(json: unknown): number | null {
  const id = (json as { id?: unknown } | null)?.id;
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 ? id : null;
}

function errorLine(id: number | null, code: string, message: string): string {
  return JSON.stringify({ id, ok: false, code, message }) + '\n';
}
