/**
 * The console's only timer. Panes mark themselves dirty; the scheduler draws at most `fps`
 * frames a second and only when something is dirty or a pane asked to be woken (an age
 * ticking, a flash fading). Idle, it holds no timer at all.
 */

export interface FrameSchedulerOptions {
  /** Most frames per second. Default 10. */
  readonly fps?: number;
  readonly now?: () => number;
}

export class FrameScheduler {
  private timer: NodeJS.Timeout | null = null;
  private dueAt = Infinity;
  private lastFrameAt = -Infinity;
  private minGapMs: number;
  private stopped = false;
  private readonly now: () => number;
  /** Frames drawn so far (tests and the benchmark read it). */
  frames = 0;

  constructor(
    private readonly frame: () => void,
    opts: FrameSchedulerOptions = {},
  ) {
    this.minGapMs = 1000 / clampFps(opts.fps ?? 10);
    this.now = opts.now ?? Date.now;
  }

  setFps(fps: number): void {
    this.minGapMs = 1000 / clampFps(fps);
  }

  get fps(): number {
    return Math.round(1000 / this.minGapMs);
  }

  /** Something changed: draw as soon as the frame rate allows. */
  requestFrame(): void {
    this.wakeAt(this.lastFrameAt + this.minGapMs);
  }

  /** Draw no later than `at` (ms on the scheduler's clock), still respecting the frame rate. */
  wakeAt(at: number): void {
    if (this.stopped) return;
    const due = Math.max(at, this.lastFrameAt + this.minGapMs);
    if (due >= this.dueAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.dueAt = due;
    this.timer = setTimeout(() => this.fire(), Math.max(0, due - this.now()));
  }

  /** Draws now, outside the timer (first frame, resize). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.fire();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private fire(): void {
    this.timer = null;
    this.dueAt = Infinity;
    if (this.stopped) return;
    this.lastFrameAt = this.now();
    this.frames++;
    this.frame();
  }
}

function clampFps(fps: number): number {
  return Math.min(60, Math.max(1, Number.isFinite(fps) ? fps : 10));
}
