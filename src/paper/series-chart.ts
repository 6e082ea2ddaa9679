/**
 * One Vega-Lite spec shape for every chart of the report: measured series as solid lines with
 * points, the paper's values dashed (or as points where the paper gives single values), model
 * curves dotted, and optional 1st–99th percentile bars. The renderer turns it into SVG.
 */
import type { TopLevelSpec } from 'vega-lite';

export type Source = 'p2pterm' | 'paper' | 'model';

export interface Row {
  readonly x: number;
  readonly y: number;
  readonly series: string;
  readonly source: Source;
  /** The paper's value is a single point (no line through it). */
  readonly pointOnly?: boolean;
}

export interface Band {
  readonly x: number;
  readonly lo: number;
  readonly hi: number;
  readonly series: string;
}

export interface SeriesChartOptions {
  readonly title: string;
  /** The setup, drawn under the title. */
  readonly subtitle: string;
  readonly x: { readonly title: string; readonly log?: 2 | 10; readonly format?: string };
  readonly y: { readonly title: string; readonly format?: string };
  readonly rows: readonly Row[];
  readonly bands?: readonly Band[];
}

const DASH: Record<Source, number[]> = { p2pterm: [1, 0], paper: [6, 4], model: [2, 3] };
export const WIDTH = 560;
const MAX_X_TICKS = 16;
export const HEIGHT = 300;

export function seriesChart(o: SeriesChartOptions): TopLevelSpec {
  const series = [...new Set([...o.rows, ...(o.bands ?? [])].map((r) => r.series))];
  const xs = uniqueX(o.rows);
  const x = {
    field: 'x',
    type: 'quantitative' as const,
    title: o.x.title,
    // An explicit domain: a log scale would otherwise round out past the data and drop end ticks.
    scale: o.x.log
      ? { type: 'log' as const, base: o.x.log, nice: false, domain: [xs[0]!, xs[xs.length - 1]!] }
      : { zero: false },
    // Few measured x values: label exactly those (no in-between ticks that round alike).
    axis: { format: o.x.format ?? '~s', labelFlush: false, ...(xs.length <= MAX_X_TICKS ? { values: xs } : {}) },
  };
  const y = { field: 'y', type: 'quantitative' as const, title: o.y.title, axis: { format: o.y.format ?? '~s' } };
  const color = { field: 'series', type: 'nominal' as const, title: null, scale: { domain: series } };
  const dash = {
    field: 'source',
    type: 'nominal' as const,
    title: null,
    scale: { domain: Object.keys(DASH), range: Object.values(DASH) },
    legend: null,
  };
  const lines = o.rows.filter((r) => !r.pointOnly);
  const points = o.rows.filter((r) => r.pointOnly);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: o.title, subtitle: o.subtitle, anchor: 'start' },
    width: WIDTH,
    height: HEIGHT,
    config: {
      legend: { orient: 'bottom', columns: 2, labelLimit: 420 },
      font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
    },
    layer: [
      ...(o.bands?.length
        ? [
            {
              data: { values: [...o.bands] },
              mark: { type: 'rule' as const, strokeWidth: 2 },
              encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color },
            },
          ]
        : []),
      {
        data: { values: lines },
        mark: { type: 'line' as const, point: true },
        encoding: { x, y, color, strokeDash: dash },
      },
      ...(points.length
        ? [
            {
              data: { values: points },
              mark: { type: 'point' as const, shape: 'diamond', size: 120, filled: true },
              encoding: { x, y, color },
            },
          ]
        : []),
    ],
  };
}

function uniqueX(rows: readonly Row[]): number[] {
  return [...new Set(rows.map((r) => r.x))].sort((a, b) => a - b);
}
