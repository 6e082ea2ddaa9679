/** The lab console on an in-memory screen: the whole ring, the health indicator, keys that act on the ring. */
import test from 'ava';
import { RingLab } from '../../src/tui/ring-lab.js';
import type { LabRingPane } from '../../src/tui/panes/lab-ring-pane.js';
import { find, tick, waitFor, labConsoleOn } from '../tui/helpers.js';

async function open(nodes: number) {
  const lab = await RingLab.create({ nodes, bits: 24, seed: 4 });
  const { app, term, text } = labConsoleOn(lab);
  const keys = async (...ks: string[]) => {
    for (const k of ks) term.input.write(k), await tick();
    await tick();
  };
  return { lab, app, text, keys, close: async () => (app.destroy(), await lab.close()) };
}

test('lab console: ring of 48, health indicator, storm chart, select and crash by keys', async (t) => {
  const c = await open(48);
  try {
    c.lab.checkHealth();
    let s = c.text();
    for (const title of ['1 Ring map', '2 Finger table', '3 Stabilization', '4 Lab', '5 Log'])
      t.true(find(s, title) >= 0, title);
    t.true(find(s, '48 nodes') >= 0, 'the ring map counts every node');
    t.true(find(s, 'CORRECT') >= 0, 'health indicator');
    t.true(find(s, 'succ 48/48') >= 0);
    t.is((c.app.ringMap as LabRingPane).lastMode, 'markers');

    await c.keys('r');
    await waitFor(() => c.lab.lastStorm !== null, 5000, 'storm');
    s = c.text();
    t.true(find(s, 'path length') >= 0 && find(s, '½·log₂N') >= 0, 'path-length chart against ½·log₂N');

    // J selects the next node: every pane follows (the status bar shows its address).
    const first = c.lab.selected;
    await c.keys('J');
    const second = c.lab.selected;
    t.not(second, first);
    t.is(c.app.node, second);
    t.true(c.text()[46]!.includes(second.self.address), 'status bar shows the selected node');

    // x crashes it; the indicator reports the broken ring, as the independent check would.
    await c.keys('x');
    await waitFor(() => !second.member, 3000, 'crash');
    c.lab.checkHealth();
    s = c.text();
    t.true(find(s, 'BROKEN') >= 0, s.slice(25, 30).join('\n'));
    t.true(find(s, 'recovering') >= 0);
    t.not(c.app.node, second, 'the console moved to a live node');
    t.true(find(s, '47 nodes') >= 0);
  } finally {
    await c.close();
  }
});

test('lab console: 2,000 nodes are drawn as per-arc density, quickly', async (t) => {
  const c = await open(2000);
  try {
    const t0 = performance.now();
    const s = c.text();
    t.true(performance.now() - t0 < 500);
    t.is((c.app.ringMap as LabRingPane).lastMode, 'density');
    t.true(find(s, '2000 nodes') >= 0);
  } finally {
    await c.close();
  }
});
