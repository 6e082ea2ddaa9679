/** The lab console with `--vnodes 4`: hosts labelled "×4", the hosts × vnodes line, keys per host, x crashes a host. */
import test from 'ava';
import { hostOf } from '../../src/wire/address.js';
import { RingLab } from '../../src/tui/ring-lab.js';
import { find, tick, waitFor, labConsoleOn } from '../tui/helpers.js';

test('lab console, 4 hosts × 4 virtual nodes: "×4" host labels, hosts × vnodes line, keys per host; x crashes a whole host', async (t) => {
  const lab = await RingLab.create({ nodes: 4, vnodes: 4, bits: 24, seed: 4 });
  const { app, term, text } = labConsoleOn(lab);
  try {
    lab.checkHealth();
    let s = text();
    t.true(find(s, '4 hosts × 4 vnodes') >= 0, 'the ring map counts hosts and virtual nodes');
    t.true(find(s, 'ring 4 hosts × 4 virtual nodes') >= 0, 'the lab pane says N hosts × V virtual nodes');
    t.true(find(s, 'succ 16/16') >= 0, 'health checks all 16 points');
    t.true(find(s, 'keys per host') >= 0 && find(s, 'on 4 hosts (4 vnodes each)') >= 0, 'the histogram counts hosts');
    t.true(find(s, 'sel ×4') >= 0, "the selected node's host is labelled ×4");
    // The other hosts carry their own label on one of their points.
    const mine = hostOf(lab.selected.self.address);
    const others = [...new Set(lab.live.map((n) => hostOf(n.self.address)))].filter((h) => h !== mine);
    const labelled = others.filter((h) => find(s, `${h.split('.')[0]} ×4`) >= 0);
    t.true(labelled.length >= 2, `host labels on the map: ${labelled.join(', ')}`);

    // x crashes the selected node's whole host: 3 hosts, 12 points left.
    const victim = lab.selected;
    term.input.write('x');
    await tick();
    await waitFor(() => lab.members().hosts === 3, 3000, 'crash');
    t.false(lab.live.some((n) => hostOf(n.self.address) === hostOf(victim.self.address)));
    t.not(await lab.converge(120_000), null);
    s = text();
    t.true(find(s, '3 hosts × 4 vnodes') >= 0);
    t.true(find(s, 'succ 12/12') >= 0);
  } finally {
    app.destroy();
    await lab.close();
  }
});
