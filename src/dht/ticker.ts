/**
 * One ticker per node drives stabilize, fix-fingers and check-predecessor. It can be paused,
 * single-stepped and re-timed (the console's stabilization controls); rounds never overlap.
 */
import type { Clock, TimerHandle } from '../core/clock.js';

export class Ticker {
  private timer: TimerHandle | null = null;
  private running = false;
  private busy: Promise<void> | null = null;
  paused = false;

  constructor(
    private readonly clock: Clock,
    public intervalMs: number,
    private readonly round: () => Promise<void>,
  ) {}

  start(firstDelayMs = this.intervalMs): void {
    this.running = true;
    this.schedule(firstDelayMs);
  }

  stop(): void {
    this.running = false;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  setInterval(ms: number): void {
    this.intervalMs = Math.max(1, ms);
    if (this.running) {
      if (this.timer) this.clock.clearTimeout(this.timer);
      this.schedule(this.intervalMs);
    }
  }

  /** Runs one round now (also while paused); waits for a round already in progress first. */
  async step(): Promise<void> {
    while (this.busy) await this.busy;
    this.busy = this.round().finally(() => (this.busy = null));
    await this.busy;
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      if (this.paused || this.busy) return this.schedule(this.intervalMs);
      this.step().finally(() => this.schedule(this.intervalMs));
    }, ms);
  }
}
