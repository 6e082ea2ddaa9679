/** A wait bounded by a timeout and an AbortSignal. */
import { abortReason } from '../wire/errors.js';

/**
 * Waits for `p`, failing after `ms` or when `signal` aborts (`what` names the wait in the error).
 *
 * The timeout is declared only after the event loop has polled for I/O once more (setImmediate
 * runs after the poll phase). A process that could not run for longer than `ms` (starved of CPU,
 * a long GC pause) runs its due timers before it reads its sockets: an answer that arrived
 * meanwhile is already waiting there, and it wins over the timer instead of a live peer being
 * taken for dead.
 */
export function bounded<T>(
  p: Promise<T>,
  ms: number,
  signal: AbortSignal | undefined,
  onTimeout: () => Error,
  what = 'request',
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal, what));
    let late: NodeJS.Immediate | null = null;
    const timer = setTimeout(() => {
      late = setImmediate(() => finish(() => reject(onTimeout())));
    }, ms);
    const onAbort = () => finish(() => reject(abortReason(signal!, what)));
    signal?.addEventListener('abort', onAbort, { once: true });
    function finish(f: () => void) {
      clearTimeout(timer);
      if (late) clearImmediate(late);
      signal?.removeEventListener('abort', onAbort);
      f();
    }
    p.then(
      (v) => finish(() => resolve(v)),
      (e) => finish(() => reject(e)),
    );
  });
}
