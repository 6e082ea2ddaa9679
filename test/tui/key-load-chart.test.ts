/**
 * The lab's keys-per-node histogram: ownership on a small ring with known key counts, the
 * chart's text (bins, mean, p1, p99, p99/mean), and the lab console drawing it beside the
 * path-length chart for its running ring.
 */
import test from 'ava';
import { point } from '../../src/paper/load-balance.js';
import { successorIndex } from '../../src/sim/ring-check.js';
import { keyLoadChart } from '../../src/tui/key-load-chart.js';
import { seededRandom } from '../../src/core/random.js';
import { keyLoad, randomKeys } from '../../src/tui/lab-key-sample.js';
import { RingLab } from '../../src/tui/ring-lab.js';
import { loadTheme } from '../../src/tui/theme.js';
import { screenLines, labConsoleOn } from './helpers.js';

const plain = (lines: string[]) => lines.map((l) => l.replace(/\{[^{}]*\}/g, ''));
const sortedPoints = (ids: number[], bits: number) =>
  ids.map((id, j) => point(BigInt(id), bits, j)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

test('keys per node: each key goes to the first node at or after it, wrapping', (t) => {
  // Nodes 10, 100, 200 on an 8-bit ring; 201 and 250 wrap round to 10.
  const load = keyLoad([10n, 100n, 200n], sortedPoints([5, 10, 11, 50, 150, 201, 250], 8), 8);
  t.deepEqual(load.counts, [4, 2, 1]);
  t.is(load.keys, 7);
  t.is(load.count, 3);
  t.is(load.p1, 1);
  t.is(load.p99, 4);
});

test('keys-per-node chart: nodes per bin of key counts, with mean, p1, p99 and p99/mean', (t) => {
  const theme = loadTheme('dark', { colors: 256 });
  // Ten nodes: 0 keys ×2, 1 ×3, 2 ×3, 3 ×1, 12 ×1 (24 keys, mean 2.4, p99 12).
  const counts = [0, 0, 1, 1, 1, 2, 2, 2, 3, 12];
  const ids = counts.map((_, i) => BigInt((i + 1) * 16));
  const keys: number[] = [];
  counts.forEach((c, i) => {
    for (let k = 0; k < c; k++) keys.push((i + 1) * 16 - k);
  });
  const load = keyLoad(ids, sortedPoints(keys, 8), 8);
  t.deepEqual(load.counts, counts);
  const lines = plain(keyLoadChart(load, 60, 20, theme, true));
  t.deepEqual(lines.slice(0, 2), ['keys per node 24 keys on 10 nodes', 'mean 2.4  p1 0  p99 12  p99/mean 5.00×']);
  // 13 values (0..12) fit 18 rows: one bin per key count.
  t.is(lines.length, 15);
  t.regex(lines[2]!, /^ 0 █+[▏▎▍▌▋▊▉]?░* 2 $/);
  t.regex(lines[3]!, /^ 1 █{43} 3 $/);
  t.regex(lines[4]!, /^ 2 █{43} 3 ◂ mean$/);
  t.regex(lines[5]!, /^ 3 █+[▏▎▍▌▋▊▉]?░+ 1 $/);
  t.regex(lines[6]!, /^ 4 ░+ 0 $/);
  t.regex(lines[14]!, /^12 █+[▏▎▍▌▋▊▉]?░+ 1 ◂ p99$/);
  // Fewer rows: bins of several key counts; ASCII without unicode.
  const narrow = plain(keyLoadChart(load, 60, 6, theme, false));
  t.is(narrow[1], 'mean 2.4  p1 0  p99 12  p99/mean 5.00x');
  t.deepEqual(
    narrow.slice(2).map((l) => l.replace(/[#.]+/, 'BAR')),
    [' 0-3 BAR 9 < mean', ' 4-7 BAR 0 ', '8-11 BAR 0 ', '  12 BAR 1 < p99'],
  );
});

/** The lab console on a `cols`-wide terminal, storm run: the screen's lines. */
async function labScreen(lab: RingLab, cols: number): Promise<string[]> {
  const { app } = labConsoleOn(lab, cols);
  try {
    return (app.renderNow(), screenLines(app.screen));
  } finally {
    app.destroy();
  }
}

/** The keys chart's heading numbers and its bars' node counts, read from the screen at its column. */
function readKeysChart(s: string[]) {
  const row = s.findIndex((l) => l.includes('keys per node'));
  const col = s[row]!.indexOf('keys per node');
  const m = /^keys per node (\d+) keys on (\d+) nodes/.exec(s[row]!.slice(col));
  const f = /^mean ([\d.]+) {2}p1 (\d+) {2}p99 (\d+) {2}p99\/mean ([\d.]+)×/.exec(s[row + 1]!.slice(col));
  const bars: number[] = [];
  for (let r = row + 2; r < s.length; r++) {
    const b = /^\s*[\d-]+ [█░▏▎▍▌▋▊▉]+ +(\d+)/.exec(s[r]!.slice(col));
    if (!b) break;
    bars.push(Number(b[1]));
  }
  return { row, col, m: m && f ? [...m, ...f.slice(1)] : null, bars };
}

test('lab console: the keys-per-node histogram of the running ring, with the path-length chart', async (t) => {
  const lab = await RingLab.create({ nodes: 8, bits: 24, seed: 5 });
  try {
    await lab.storm(200);
    // What the ring holds, computed independently: the lab's sample (1000 keys, its least)
    // placed on the live ids by binary search.
    const ids = lab.members().nodes.map((n) => n.self.id);
    const counts = new Array<number>(8).fill(0);
    for (const k of randomKeys(seededRandom(5), 1000, 24)) counts[successorIndex(ids, k.id)]!++;
    const sorted = [...counts].sort((a, b) => a - b);

    for (const cols of [160, 260]) {
      const s = await labScreen(lab, cols);
      const { row, col, m, bars } = readKeysChart(s);
      t.truthy(m, s.join('\n'));
      t.deepEqual(m!.slice(1, 4), ['1000', '8', '125.0']);
      t.is(Number(m![4]), sorted[0]);
      t.is(Number(m![5]), sorted[7]);
      t.is(m![6], (sorted[7]! / 125).toFixed(2));
      t.is(
        bars.reduce((a, b) => a + b, 0),
        8,
        'every node in one bar',
      );
      const paths = s.findIndex((l) => l.includes('path length'));
      if (cols === 160) t.true(paths >= 0 && paths < row, 'narrow pane: below the path-length chart');
      else t.true(paths === row && s[row]!.indexOf('path length') < col, 'wide pane: beside it');
    }
  } finally {
    await lab.close();
  }
});
