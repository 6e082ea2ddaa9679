/**
 * Flow control for one server-side connection, so that one client cannot slow the others.
 *
 * Invariants:
 * - reading stops while more than `maxPending` response bytes wait to be sent (a client that
 *   floods requests but never reads its answers stalls only itself);
 * - a session hands back the event loop after a bounded batch of requests (`yieldThen`), so a
 *   burst of pipelined requests is interleaved with other connections' work;
 * - reading resumes only when neither reason to pause holds.
 */
import type { Socket } from 'node:net';

export class SocketFlow {
  #draining = false;
  #yielding = false;
  #closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly maxPending: number,
  ) {
    socket.on('drain', () => {
      this.#draining = false;
      this.#maybeResume();
    });
    socket.once('close', () => {
      this.#closed = true;
    });
  }

  get closed(): boolean {
    return this.#closed || this.socket.destroyed;
  }

  /** Writes a reply; pauses reading while too much output is queued. */
  send(data: string | Uint8Array): void {
    if (this.closed) return;
    this.socket.write(data);
    if (this.socket.writableLength > this.maxPending && !this.#draining) {
      this.#draining = true;
      this.socket.pause();
    }
  }

  /** Runs `fn` with writes corked, so a batch of replies leaves in one packet. */
  batch(fn: () => void): void {
    this.socket.cork();
    try {
      fn();
    } finally {
      if (!this.socket.destroyed) this.socket.uncork();
    }
  }

  /** Writes a last reply and closes the connection once it is sent. */
  finish(data?: string): void {
    if (this.closed) return;
    this.#closed = true;
    if (data === undefined) this.socket.end();
    else this.socket.end(data);
    // A client that never reads its last answer must not hold the socket forever.
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  /** Pauses reading, lets other connections run, then resumes and calls `fn`. */
  yieldThen(fn: () => void): void {
    this.#yielding = true;
    this.socket.pause();
    setImmediate(() => {
      this.#yielding = false;
      if (this.closed) return;
      this.#maybeResume();
      fn();
    });
  }

  #maybeResume(): void {
    if (!this.#draining && !this.#yielding && !this.closed) this.socket.resume();
  }
}
