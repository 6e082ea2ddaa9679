import test from 'ava';
import type { ChordNode } from '../../src/dht/chord-node.js';
import { formOwnRing, joinVnodes, newVnodes, startVnodes, stopVnodes } from '../../src/dht/vnode-group.js';
import { SimRing } from '../../src/sim/sim-ring.js';
import { openConsole, simRing, find, waitFor } from './helpers.js';

/** The ring map's rows (left third of the top half at 160x48). */
function ringRows(lines: string[]): string[] {
  return lines.slice(1, 26).map((l) => l.slice(1, 53));
}

test('ring map: circle, this node, neighbours, lookup path hop by hop, selection', async (t) => {
  const ring = await simRing(8);
  const c = openConsole(ring.nodes[0]!);
  try {
    const snap = c.node.snapshot();
    let rows = ringRows(c.text());
    const all = rows.join('\n');
    t.true(
      [...all].some((ch) => ch >= '\u2800' && ch <= '\u28ff'),
      'braille circle drawn',
    );
    t.true(all.includes('◉'), 'this node marked');
    t.true(all.includes(`me ${snap.id}`), 'this node labelled');
    t.true(all.includes(`succ ${snap.successors[0]!.id}`), 'successor labelled');
    t.true(all.includes(`pred ${snap.predecessor!.id}`), 'predecessor labelled');
    t.regex(all, /\d+ known nodes/);

    // A lookup typed on the command line shows up on the map, hop by hop.
    const target = 'some key';
    const expected = await c.node.lookup(target);
    await c.keys(':', `lookup ${target}`, 'enter');
    await waitFor(() => find(c.text(), 'owner:') >= 0, 3000, 'reply');
    await c.keys('escape');
    rows = ringRows(c.text());
    t.true(rows.join('\n').includes(`${expected.hops} hop`), rows.join('\n'));
    t.true(rows.join('\n').includes(expected.owner.address));
    for (let hop = 1; hop <= Math.min(expected.hops, 9); hop++)
      t.true(rows.join('').includes(String(hop)), `hop ${hop} numbered`);

    // j selects nodes in id order; the selected one shows id and address.
    await c.keys('j');
    rows = ringRows(c.text());
    t.true(
      rows.some((l) => l.includes(snap.id) && l.includes(snap.address) && l.includes('this node')),
      'first selection is this node',
    );
    await c.keys('j');
    const sel = c.app.ringMap.selectedAddress!;
    t.not(sel, snap.address);
    t.true(
      ringRows(c.text()).some((l) => l.includes(sel)),
      'selected address shown',
    );
    await c.keys('escape');
    t.is(c.app.ringMap.selectedAddress, null, 'Esc clears the selection');
  } finally {
    c.close();
    await ring.stop();
  }
});

test('ring map: ASCII mode draws no Unicode at all', async (t) => {
  const ring = await simRing(5);
  const c = openConsole(ring.nodes[0]!, { caps: { term: 'xterm', unicode: false, colors: 16, noColor: false } });
  try {
    const lines = c.text();
    // blessed keeps Unicode borders in its buffer and converts them on output: check the bytes sent.
    await waitFor(() => c.term.written().includes('Ring map'), 5000, 'the first frame on the terminal');
    const sent = c.term.written();
    t.true(sent.length > 1000);
    const bad = [...new Set([...sent].filter((ch) => ch.charCodeAt(0) > 126))];
    t.deepEqual(bad, [], 'only ASCII reaches the terminal');
    const plain = sent.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    t.true(plain.includes('+-> 1 Ring map'), 'ASCII box corners and focus marker');
    t.true(ringRows(lines).join('\n').includes(`me ${c.node.snapshot().id}`));
    t.true(ringRows(lines).join('').includes('@'));
  } finally {
    c.close();
    await ring.stop();
  }
});

test('ring map: a process with virtual nodes is one host with V points, labelled "me ×V"', async (t) => {
  const ring = new SimRing({ bits: 16, seed: 5, successors: 9 });
  const procs: ChordNode[][] = [];
  for (let p = 0; p < 2; p++) {
    const address = `p${p}.sim:4000`;
    const nodes = newVnodes({
      count: 3,
      transport: (id) => ring.network.transport(address, id),
      clock: ring.clock,
      bits: 16,
    });
    await startVnodes(nodes);
    ring.nodes.push(...nodes);
    await ring.settle(p === 0 ? formOwnRing(nodes) : joinVnodes(nodes, 'p0.sim:4000'));
    procs.push(nodes);
  }
  t.true((await ring.converge(60_000, { fingers: true })) >= 0);
  const me = procs[0]![0]!;
  const c = openConsole(me);
  try {
    const siblings = c.app.ringMap.knownNodes().filter((n) => n.roles.includes('host'));
    t.deepEqual(
      siblings.map((n) => n.address).sort(),
      ['p0.sim:4000/1', 'p0.sim:4000/2'],
      'the other members of this process, and no one else, are this host',
    );
    const all = ringRows(c.text()).join('\n');
    t.true(all.includes(`me ×3 ${me.self.id.toString(16)}`), all);
    t.true([...all].filter((ch) => ch === '◉').length >= 3, 'three points drawn as this node');
  } finally {
    c.close();
    for (const nodes of procs) await stopVnodes(nodes);
  }
});
