/** The node runtime's clock: Node's own timers, unref'd so a pending timer never keeps a process alive. */
import type { Clock, TimerHandle } from '../core/clock.js';

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t as unknown as TimerHandle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as unknown as NodeJS.Timeout);
  },
};
