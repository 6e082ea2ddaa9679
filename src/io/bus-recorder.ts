/**
 * Writes bus events to a recording (format: bus/recording.ts): buffered, appended, bounded.
 * Past `maxBytes` the file is gzipped to FILE.1.gz (replacing an older one) and started again
 * with a header and every recorded node's current state.
 */
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { EventBus } from '../bus/event-bus.js';
import { RECORDING_FORMAT, RECORDING_VERSION, type RecordedNode, type RecordingHeader } from '../bus/recording.js';

/** What the recorder needs of a node: its bus, its clock and its state now. */
export interface RecordableNode {
  readonly bus: EventBus;
  readonly clock: { now(): number };
  describe(): RecordedNode;
}

export interface RecorderOptions {
  /** Rotate past this many bytes (default 64 MiB). */
  readonly maxBytes?: number;
  /** Buffered lines are written at least this often (ms, default 250). */
  readonly flushMs?: number;
}

export const DEFAULT_RECORDING_MAX_BYTES = 64 * 1024 * 1024;
/** Buffer size that triggers a write before the timer (bytes). */
const FLUSH_BYTES = 256 * 1024;

export class BusRecorder {
  private fd: number;
  private bytes = 0;
  private pending: string[] = [];
  private pendingBytes = 0;
  private readonly nodes = new Map<string, RecordableNode>();
  private readonly offs: (() => void)[] = [];
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  /** Times the file was rotated. */
  rotations = 0;

  constructor(
    readonly path: string,
    private readonly opts: RecorderOptions = {},
  ) {
    this.fd = this.startFile();
    this.timer = setInterval(() => this.flush(), opts.flushMs ?? 250);
    this.timer.unref();
  }

  /** Records every event of `node` from now on, after a line with its state now. */
  watch(node: RecordableNode): void {
    const info = node.describe();
    this.nodes.set(info.address, node);
    this.push({ t: node.clock.now(), node: info });
    this.offs.push(node.bus.onAny((e, d) => this.push({ t: node.clock.now(), n: info.address, e, d })));
  }

  /** Writes what is buffered (also on rotation and close). */
  flush(): void {
    if (this.closed || this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    writeSync(this.fd, text);
    this.bytes += Buffer.byteLength(text);
    if (this.bytes > (this.opts.maxBytes ?? DEFAULT_RECORDING_MAX_BYTES)) this.rotate();
  }

  close(): void {
    if (this.closed) return;
    for (const off of this.offs) off();
    clearInterval(this.timer);
    this.flush();
    this.closed = true;
    closeSync(this.fd);
  }

  private push(line: object): void {
    if (this.closed) return;
    const text = JSON.stringify(line) + '\n';
    this.pending.push(text);
    this.pendingBytes += text.length;
    if (this.pendingBytes > FLUSH_BYTES) this.flush();
  }

  private startFile(): number {
    const header: RecordingHeader = {
      format: RECORDING_FORMAT,
      version: RECORDING_VERSION,
      startedWallMs: Date.now(),
    };
    const text = JSON.stringify(header) + '\n';
    writeFileSync(this.path, text);
    this.bytes = Buffer.byteLength(text);
    return openSync(this.path, 'a');
  }

  /** The full file becomes FILE.1.gz; FILE starts again with every node's state. */
  private rotate(): void {
    closeSync(this.fd);
    const old = `${this.path}.1.gz`;
    rmSync(old, { force: true });
    writeFileSync(`${old}.tmp`, gzipSync(readFileSync(this.path)));
    renameSync(`${old}.tmp`, old);
    this.rotations++;
    this.fd = this.startFile();
    for (const node of this.nodes.values()) this.push({ t: node.clock.now(), node: node.describe() });
  }
}
