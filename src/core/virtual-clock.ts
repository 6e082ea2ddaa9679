/**
 * A deterministic clock for simulations: timers fire in (time, insertion) order when the
 * test advances time. Between timers due at different instants all pending promise work is
 * drained, so async code driven by these timers behaves as it would in real time.
 *
 * Invariants:
 * - time moves only in `advance` (and `runUntil`), never by itself;
 * - timers run in (due time, insertion) order, and `now()` equals a timer's due time while it runs;
 * - a cancelled timer never runs (it stays in the heap until popped).
 */
import type { Clock, TimerHandle } from './clock.js';

interface Timer extends TimerHandle {
  at: number;
  seq: number;
  fn: () => void;
}

export class VirtualClock implements Clock {
  private time = 0;
  private seq = 0;
  private heap: Timer[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: Timer = { at: this.time + Math.max(0, ms), seq: this.seq++, fn };
    this.push(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    handle.cancelled = true;
  }

  /** Number of timers still scheduled (cancelled ones may be counted until popped). */
  get pending(): number {
    return this.heap.length;
  }

  /** Runs every timer due within the next `ms` milliseconds, then sets the time to now+ms. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    while (this.heap.length > 0 && this.heap[0]!.at <= end) {
      await this.runDueAt(this.heap[0]!.at);
    }
    this.time = end;
    await drain();
  }

  /** Advances until `done()` holds or `limitMs` of virtual time passed; returns the time used. */
  async runUntil(done: () => boolean, limitMs: number, stepMs = 10): Promise<number> {
    const start = this.time;
    while (!done() && this.time - start < limitMs) await this.advance(stepMs);
    return this.time - start;
  }

  private async runDueAt(at: number): Promise<void> {
    this.time = at;
    while (this.heap.length > 0 && this.heap[0]!.at === at) {
      const timer = this.pop();
      if (!timer.cancelled) timer.fn();
    }
    await drain();
  }

  private push(t: Timer): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Timer {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** Lets every queued promise continuation run (a macrotask boundary). */
function drain(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
