/**
 * The write side of a connection: frames go to the socket a tick's worth at a time, in one
 * system call (see `batch`).
 */
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { LogFn } from '../core/log.js';
import { encodeFrameParts, type Frame } from '../wire/codec.js';

export class FrameWriter {
  /** Writes are being gathered for the end of this tick (see batch). */
  private corked = false;

  constructor(
    private readonly socket: Socket,
    private readonly log: LogFn,
    private readonly label: string,
  ) {
    // Node's TLS copies the buffers of a batched write (writev: frames queued while the last
    // write was in progress, a chunk's head and tail) into one before encrypting them; written
    // one at a time, each is encrypted where it lies. About a fifth less CPU per MiB sent.
    if (socket instanceof TLSSocket) (socket as unknown as { _writev: unknown })._writev = null;
  }

  /**
   * Writes `frame`; `release` runs once the socket no longer needs the frame's bytes. Returns
   * the bytes handed to the socket (0 when nothing was).
   */
  write(frame: Frame, release?: () => void): number {
    try {
      const { head, tail } = encodeFrameParts(frame);
      this.batch();
      if (!tail) return (this.socket.write(head, release), head.byteLength);
      this.socket.write(head);
      this.socket.write(tail, release);
      return head.byteLength + tail.byteLength;
    } catch (e) {
      release?.();
      this.log('error', 'tcp', `cannot send to ${this.label}: ${(e as Error).message}`);
      return 0;
    }
  }

  /**
   * Holds this tick's writes back until the tick's work is done, then hands them to the socket
   * in one go: the answers to a read's worth of requests (and a burst of requests) cost one
   * system call instead of one each, which is most of what a flood of small requests costs.
   */
  private batch(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    process.nextTick(this.flush);
  }

  private readonly flush = (): void => {
    this.corked = false;
    this.socket.uncork();
  };
}
