/**
 * The step of the clock on which an idle console redraws what only time changes (finger ages,
 * folded quiet rounds): every second while stabilization runs at its full rate; while quiet
 * rounds have stretched it, 10 s or the stretched interval rounded down to 5 s (15 s for a lone
 * node's 16 s), whichever is longer. Every pane steps at the same instant, so they draw in one
 * frame; any change brings the full rate, and the 1 s step, back at once.
 *
 * Why 10 s when quiet: a frame costs the console about 300 KB of garbage (blessed re-parses a
 * changed pane's whole text), and in a settled 64-node ring these steps were most of its idle
 * work (console-bench's idleCpu). An age in a ring that changes nothing can lag 10 s.
 */
export const QUIET_STEP_MS = 5_000;
/** The shortest step while quiet (see above). */
export const QUIET_MIN_STEP_MS = 10_000;

export function quietStepMs(stabilization: { intervalMs(): number; effectiveMs(): number }): number {
  const every = stabilization.effectiveMs();
  if (every <= stabilization.intervalMs()) return 1000;
  return Math.max(QUIET_MIN_STEP_MS, QUIET_STEP_MS * Math.floor(every / QUIET_STEP_MS));
}
