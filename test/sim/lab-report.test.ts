/** What `sim --headless --json` reports about the ring it built. */
import test from 'ava';
import { Lab } from '../../src/sim/lab.js';
import { runScenario } from '../../src/sim/sim-scenario.js';

test('the "built" line reports the wall time the build took, not the zero before the scenario', async (t) => {
  const w0 = performance.now();
  const lab = await Lab.create({ nodes: 150, bits: 32, seed: 9 });
  const measured = performance.now() - w0;
  const lines: Record<string, unknown>[] = [];
  try {
    await runScenario(lab, { lookups: 20 }, (l) => lines.push(l));
  } finally {
    await lab.close();
  }
  const built = lines.find((l) => l.event === 'built')!;
  t.is(built.nodes, 150);
  const wallMs = built.wallMs as number;
  t.true(wallMs >= 1, `wallMs ${wallMs}`);
  t.true(wallMs <= Math.ceil(measured), `wallMs ${wallMs} within the ${measured.toFixed(0)} ms Lab.create took`);
  t.true(wallMs >= measured / 2, 'most of the create time is the build');
});
