/** The console's stabilization controls (pause, single step, speed) over the node's ticker. */
import type { Ticker } from './ticker.js';

export interface StabilizationControls {
  pause(): void;
  resume(): void;
  /** Runs one round now (also while paused), after the one in progress if any. */
  step(): Promise<void>;
  setIntervalMs(ms: number): void;
  isPaused(): boolean;
  intervalMs(): number;
  /** The wait before the next round now: the interval, or longer while the ring is quiet. */
  effectiveMs(): number;
}

export function stabilizationControls(ticker: Ticker): StabilizationControls {
  return {
    pause: () => ticker.pause(),
    resume: () => ticker.resume(),
    step: () => ticker.step(),
    setIntervalMs: (ms: number) => ticker.setInterval(ms),
    isPaused: () => ticker.paused,
    intervalMs: () => ticker.intervalMs,
    effectiveMs: () => ticker.effectiveMs,
  };
}
