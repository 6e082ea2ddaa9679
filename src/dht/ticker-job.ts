/**
 * A timed job that hangs off the node's ticker but keeps its own schedule in milliseconds
 * (the ring store's maintenance pass): it is not tied to stabilization rounds, so it neither
 * pauses with them nor backs off with them.
 *
 * Invariants:
 * - at most one run is pending; asking for a run later than the pending one changes nothing,
 *   asking for an earlier one moves it;
 * - once cancelled (by the job's owner or by the ticker stopping) nothing runs until the next
 *   `runIn`, and a stopped ticker accepts no `runIn` at all.
 */
import type { Clock, TimerHandle } from '../core/clock.js';

export class TickerJob {
  private timer: TimerHandle | null = null;
  private dueAt = Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly run: () => void,
    /** False while the ticker is stopped: no run is scheduled then. */
    private readonly accepting: () => boolean,
  ) {}

  /** Whether a run is pending. */
  get pending(): boolean {
    return this.timer !== null;
  }

  /** Runs the job in `ms`, unless a run is due sooner already. */
  runIn(ms: number): void {
    if (!this.accepting()) return;
    const at = this.clock.now() + ms;
    if (this.timer && this.dueAt <= at) return;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.dueAt = at;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.dueAt = Infinity;
      this.run();
    }, ms);
  }

  /** Drops the pending run, if any. */
  cancel(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.dueAt = Infinity;
  }
}
