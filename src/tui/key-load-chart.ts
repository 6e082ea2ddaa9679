/**
 * Keys per node as a text histogram, the Chord paper's Figure 8/9 for the lab's running ring:
 * how many nodes hold 0, 1, 2, ... keys (in bins), with the mean, 1st and 99th percentile and
 * the p99/mean ratio (the paper: about 4.8× without virtual nodes at 10^4 nodes). With
 * virtual nodes the counts are per host (the keys of its V points summed) and the heading says
 * so: "keys per host (4 vnodes each)".
 */
import { histogram } from '../paper/summary-stats.js';
import { escapeTags, fit } from './format.js';
import type { KeyLoad } from './lab-key-sample.js';
import { binHistogram, gaugeBar } from './text-charts.js';
import type { Theme } from './theme.js';

/**
 * The heading, the figures (two lines: the chart is often half a pane wide) and one bar per
 * bin of key counts: at most `rows` lines of `width` columns.
 */
export function keyLoadChart(load: KeyLoad | null, width: number, rows: number, t: Theme, unicode: boolean): string[] {
  if (rows < 3) return [];
  if (!load) return [t.tag('dim', 'keys per node: no live node')];
  const ratio = load.mean > 0 ? load.p99 / load.mean : 0;
  const times = unicode ? '×' : 'x';
  const heading =
    load.per === 'host'
      ? `${t.tag('heading', 'keys per host')} ${load.keys} keys on ${load.count} hosts (${load.vnodes} vnodes each)`
      : `${t.tag('heading', 'keys per node')} ${load.keys} keys on ${load.count} nodes`;
  const figures = `mean ${t.tag('accent', load.mean.toFixed(1))}  p1 ${load.p1}  p99 ${load.p99}  p99/mean ${t.tag('accent', `${ratio.toFixed(2)}${times}`)}`;
  const bins = binHistogram(histogram(load.counts), rows - 2);
  const max = Math.max(1, ...bins.map((b) => b.count));
  const labelW = Math.max(...bins.map((b) => b.label.length));
  const countW = String(max).length;
  const barW = Math.max(4, width - labelW - countW - 14);
  const within = (b: { lo: number; hi: number }, x: number) => x >= b.lo - 0.5 && x < b.hi + 0.5;
  const arrow = unicode ? '◂' : '<';
  const lines = bins.map((b) => {
    const bar = gaugeBar(b.count / max, barW, unicode);
    const marks = [within(b, load.mean) ? `${arrow} mean` : '', within(b, load.p99) ? `${arrow} p99` : '']
      .filter(Boolean)
      .join(' ');
    return `${fit(b.label, labelW, '', 'right')} ${t.tag('gaugeFill', bar.filled)}${t.tag('gaugeEmpty', bar.empty)} ${fit(String(b.count), countW, '', 'right')} ${t.tag('accent', escapeTags(marks))}`;
  });
  return [heading, figures, ...lines];
}
