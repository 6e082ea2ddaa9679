/**
 * One ticker per node drives all of its periodic work: the stabilization rounds (stabilize,
 * fix-fingers, check-predecessor) and the timed jobs services hang off it (the ring store's
 * maintenance, see TickerJob). Rounds can be paused, single-stepped and re-timed (the
 * console's stabilization controls); they never overlap.
 *
 * Backing off: a round that changed nothing (the round function returns true for "quiet")
 * doubles the wait before the next one, up to `backoff` times the interval; any change, here
 * or reported through wake(), brings the interval straight back. A settled ring then costs a
 * fraction of the messages, and a changing one is stabilized at full speed. backoff 1 never
 * backs off.
 *
 * Invariants:
 * - at most one round runs at a time, and at most one round timer is pending;
 * - `stop()` cancels the round timer and every job; nothing is scheduled again until `start()`.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import { TickerJob } from './ticker-job.js';

export class Ticker {
  private timer: TimerHandle | null = null;
  private dueAt = 0;
  private running = false;
  private stopped = false;
  private busy: Promise<void> | null = null;
  private readonly jobs = new Set<TickerJob>();
  /** The wait before the next round: intervalMs, or more while rounds are quiet. */
  private currentMs: number;
  paused = false;

  constructor(
    private readonly clock: Clock,
    public intervalMs: number,
    private readonly round: () => Promise<boolean>,
    /** Most the interval stretches while rounds are quiet, as a multiple (1: never); asked after each round. */
    private readonly backoff: () => number,
    /** Told when a round started by the timer fails (rounds catch their own errors; a bug otherwise). */
    private readonly onError: (e: unknown) => void,
  ) {
    this.currentMs = intervalMs;
  }

  /** The wait before the next round now (the interval, or longer while the ring is quiet). */
  get effectiveMs(): number {
    return this.currentMs;
  }

  start(firstDelayMs = this.intervalMs): void {
    this.running = true;
    this.stopped = false;
    this.schedule(firstDelayMs);
  }

  stop(): void {
    this.running = false;
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    for (const job of this.jobs) job.cancel();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  setInterval(ms: number): void {
    this.intervalMs = Math.max(1, ms);
    this.currentMs = this.intervalMs;
    this.reschedule(this.intervalMs);
  }

  /** Something changed: back to the full rate, and the next round no later than one interval. */
  wake(): void {
    if (this.currentMs === this.intervalMs) return;
    this.currentMs = this.intervalMs;
    if (this.timer && this.dueAt - this.clock.now() > this.intervalMs) this.reschedule(this.intervalMs);
  }

  /** Runs one round now (also while paused); waits for a round already in progress first. */
  async step(): Promise<void> {
    while (this.busy) await this.busy;
    this.busy = this.round()
      .then((quiet) => {
        this.currentMs = quiet ? Math.min(this.currentMs * 2, this.intervalMs * this.backoff()) : this.intervalMs;
      })
      .finally(() => (this.busy = null));
    await this.busy;
  }

  /** A timed job on this ticker's clock, on its own schedule; cancelled when the ticker stops. */
  job(run: () => void): TickerJob {
    const job = new TickerJob(this.clock, run, () => !this.stopped);
    this.jobs.add(job);
    return job;
  }

  private reschedule(ms: number): void {
    if (!this.running) return;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.schedule(ms);
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.dueAt = this.clock.now() + ms;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      if (this.paused || this.busy) return this.schedule(this.currentMs);
      // The next round is scheduled whatever happens to this one; a failure is only reported.
      this.step()
        .finally(() => this.schedule(this.currentMs))
        .catch(this.onError);
    }, ms);
  }
}
