/**
 * The step of the clock on which an idle console redraws what only time changes (finger ages,
 * folded quiet rounds): every second while stabilization runs at its full rate; while quiet
 * rounds have stretched it, 5 s or the stretched interval rounded down to 5 s (15 s for a lone
 * node's 16 s), whichever is longer. Nothing shown moves faster than the rounds that could
 * change it, and every pane steps at the same instant, so they draw in one frame.
 */
export const QUIET_STEP_MS = 5_000;

export function quietStepMs(stabilization: { intervalMs(): number; effectiveMs(): number }): number {
  const every = stabilization.effectiveMs();
  if (every <= stabilization.intervalMs()) return 1000;
  return Math.max(QUIET_STEP_MS, QUIET_STEP_MS * Math.floor(every / QUIET_STEP_MS));
}
