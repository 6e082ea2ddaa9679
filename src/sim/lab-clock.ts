/**
 * The lab's clock. On the memory transport it runs the ring's virtual clock in real time,
 * scaled by a speed factor, with pause and single-step; every advance goes through one queue
 * so two callers never move virtual time at once. On TCP time is real: pause, step and speed
 * act on every node's stabilization timer instead.
 */
import type { LogLevel } from '../core/log.js';
import type { VirtualClock } from '../core/virtual-clock.js';
import type { ChordNode } from '../dht/chord-node.js';

/** Real ms between clock advances while running. */
export const LAB_TICK_MS = 50;
/** Most virtual ms moved in one advance, so a slow ring cannot starve the screen for long. */
export const MAX_VIRTUAL_STEP_MS = 1_000;
export const MIN_SPEED = 1 / 16;
export const MAX_SPEED = 256;

export class LabClock {
  speed = 1;
  paused = false;
  private chain: Promise<void> = Promise.resolve();
  private running = false;
  private readonly t0 = Date.now();

  /**
   * @param virtual the ring's virtual clock, or null for real time (TCP)
   * @param nodes the live nodes (TCP: for pause/step/speed)
   * @param stabilizeMs the nodes' base stabilization interval
   * @param log where failures worth a note go (the lab's log)
   */
  constructor(
    private readonly virtual: VirtualClock | null,
    private readonly nodes: () => readonly ChordNode[],
    private readonly stabilizeMs: number,
    private readonly log: (level: LogLevel, message: string) => void,
  ) {}

  get isVirtual(): boolean {
    return this.virtual !== null;
  }

  /** Lab time in ms: virtual time, or wall time since the lab started. */
  now(): number {
    return this.virtual ? this.virtual.now() : Date.now() - this.t0;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Moves virtual time on by `ms` (queued behind any advance in progress). */
  advance(ms: number): Promise<void> {
    const v = this.virtual;
    if (!v) return sleep(ms);
    const run = this.chain.then(() => v.advance(ms));
    // The caller gets a failure from `run`; the chain only keeps advances in order.
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Waits for `p` while lab time passes: the running clock moves it, else we do. */
  async settle<T>(p: Promise<T>, stepMs = 50): Promise<T> {
    if (!this.virtual) return p;
    let done = false;
    const tracked = p.finally(() => (done = true));
    // The caller gets the rejection from `tracked`; this only keeps it from being unhandled meanwhile.
    tracked.catch(() => undefined);
    await new Promise((r) => setImmediate(r));
    while (!done) {
      if (this.running && !this.paused) await sleep(10);
      else await this.advance(stepMs);
    }
    return tracked;
  }

  /** Runs the clock in real time; `onTick` is called after every advance. */
  start(onTick: () => void): void {
    if (this.running) return;
    this.running = true;
    void this.loop(onTick);
  }

  stop(): void {
    this.running = false;
  }

  pause(): void {
    this.paused = true;
    if (!this.virtual) for (const n of this.nodes()) n.stabilization.pause();
  }

  resume(): void {
    this.paused = false;
    if (!this.virtual) for (const n of this.nodes()) n.stabilization.resume();
  }

  /** One step: `ms` of virtual time (default one stabilization interval), or one round on every TCP node. */
  async step(ms = this.stabilizeMs): Promise<void> {
    if (this.virtual) return this.advance(ms);
    await Promise.all(
      this.nodes().map((n) =>
        n.stabilization.step().catch((e: Error) => this.log('debug', `stepping ${n.self.address}: ${e.message}`)),
      ),
    );
  }

  setSpeed(x: number): number {
    this.speed = Math.min(MAX_SPEED, Math.max(MIN_SPEED, Number.isFinite(x) ? x : 1));
    if (!this.virtual)
      for (const n of this.nodes())
        n.stabilization.setIntervalMs(Math.max(10, Math.round(this.stabilizeMs / this.speed)));
    return this.speed;
  }

  private async loop(onTick: () => void): Promise<void> {
    let last = performance.now();
    while (this.running) {
      const t = performance.now();
      const gap = t - last;
      last = t;
      if (this.virtual && !this.paused) await this.advance(Math.min(MAX_VIRTUAL_STEP_MS, gap * this.speed));
      if (!this.running) return;
      onTick();
      await sleep(Math.max(4, LAB_TICK_MS - (performance.now() - t)));
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
