/**
 * Publishes the choker's view of the peers we upload to (`upload:peers`) on the bus: at most
 * once per `everyMs`, only after the choker reported a change, and only when the view differs
 * from the last one published. No change, no timer: an idle node publishes nothing.
 */
import type { EventBus } from '../bus/event-bus.js';
import type { UploadPeer } from '../bus/events.js';

/** Least time between two `upload:peers` events (ms): the console redraws at most this often for them. */
export const UPLOAD_PEERS_EVERY_MS = 1000;

export class UploadPeersPublisher {
  private timer: NodeJS.Timeout | null = null;
  private last = '';
  private closed = false;

  constructor(
    private readonly bus: EventBus,
    private readonly read: () => readonly UploadPeer[],
    private readonly everyMs = UPLOAD_PEERS_EVERY_MS,
  ) {}

  /** Something changed: publish within `everyMs` (one event for any number of changes). */
  changed(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => this.flush(), this.everyMs);
    this.timer.unref();
  }

  /** Publishes the current view now, changed or not (for a console that attaches later). */
  publishState(): void {
    this.emit(this.read());
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private flush(): void {
    this.timer = null;
    if (!this.bus.wants('upload:peers')) return;
    const peers = this.read();
    if (JSON.stringify(peers) === this.last) return;
    this.emit(peers);
  }

  private emit(peers: readonly UploadPeer[]): void {
    this.last = JSON.stringify(peers);
    this.bus.emit('upload:peers', { peers });
  }
}
