/**
 * Time as the node runtime sees it. The real clock (`io/real-clock.ts`) wraps Node's timers; the virtual clock
 * lets simulations step thousands of nodes deterministically.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export interface TimerHandle {
  cancelled?: boolean;
}
