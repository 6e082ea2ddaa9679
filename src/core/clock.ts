/**
 * Time as the node runtime sees it. The real clock (`io/real-clock.ts`) wraps Node's timers; the virtual clock
 * lets simulations step thousands of nodes deterministically.
 *
 * Invariants:
 * - `now()` is in milliseconds and never goes backwards;
 * - a timer fires at most once, never before its delay has passed, and never after
 *   `clearTimeout` was called on its handle;
 * - only the runtime holds a Clock: the protocol steps in this folder take `now` as an argument.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export interface TimerHandle {
  cancelled?: boolean;
}

/** A signal that aborts (with `reason`) once `ms` have passed on `clock`; `clear` it when done. */
export function deadline(clock: Clock, ms: number, reason?: Error): { signal: AbortSignal; clear: () => void } {
  const c = new AbortController();
  const timer = clock.setTimeout(() => c.abort(reason), ms);
  return { signal: c.signal, clear: () => clock.clearTimeout(timer) };
}
