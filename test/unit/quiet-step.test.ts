import test from 'ava';
import { quietStepMs } from '../../src/tui/quiet-step.js';

const at = (intervalMs: number, effectiveMs: number) => ({
  intervalMs: () => intervalMs,
  effectiveMs: () => effectiveMs,
});

test('what only time changes steps every second at full rate, with the stretched interval while quiet', (t) => {
  t.is(quietStepMs(at(500, 500)), 1000, 'full rate');
  t.is(quietStepMs(at(500, 1000)), 10_000, 'stretched a little: 10 s');
  t.is(quietStepMs(at(500, 4000)), 10_000, "a quiet ring's 4 s: 10 s");
  t.is(quietStepMs(at(500, 16_000)), 15_000, "a lone node's 16 s: 15 s");
});
