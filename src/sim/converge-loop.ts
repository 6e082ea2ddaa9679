/**
 * The one convergence loop of the simulator (SimRing) and the ring lab: check the ring, and
 * while it is not as wanted and the time limit is not reached, let time pass and check again.
 */

export interface ConvergeLoopOptions {
  /** Checks the ring: true once it is as wanted. */
  readonly done: () => boolean;
  /** Current time in ms (virtual time, or lab time). */
  readonly now: () => number;
  /** Lets `ms` of time pass. */
  readonly advance: (ms: number) => Promise<void>;
  /** Most time to let pass, in ms. */
  readonly limitMs: number;
  /** Time between two checks, in ms. */
  readonly everyMs: number;
}

/** The time it took in ms (0 when already done), or null when the limit came first. */
export async function convergeLoop(o: ConvergeLoopOptions): Promise<number | null> {
  const start = o.now();
  for (;;) {
    if (o.done()) return o.now() - start;
    if (o.now() - start >= o.limitMs) return null;
    await o.advance(o.everyMs);
  }
}
