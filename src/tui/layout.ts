/**
 * Where every pane goes for a terminal size. Pure: (cols, rows) -> rectangles.
 * At 120x36 and up all panes sit side by side; from 60x18 up to that the panes become tabs
 * (one at a time, a tab bar on top); below 60x18 the console shows "terminal too small".
 */

export const PANE_IDS = ['ring', 'fingers', 'stabilize', 'log', 'files', 'transfers', 'tracker'] as const;
/** The ring lab (`p2pterm sim`): the node panes that make sense for a simulated ring, and the lab pane. */
export const LAB_PANE_IDS = ['ring', 'fingers', 'stabilize', 'lab', 'log'] as const;
export type NodePaneId = (typeof PANE_IDS)[number];
export type LabPaneId = (typeof LAB_PANE_IDS)[number];
export type PaneId = NodePaneId | LabPaneId;

export interface Rect {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

export const GRID_MIN = { cols: 120, rows: 36 } as const;
export const TABS_MIN = { cols: 60, rows: 18 } as const;
/** Status line plus hint/command line at the bottom. */
export const STATUS_ROWS = 2;

export type Layout<Id extends PaneId = NodePaneId> =
  | { readonly mode: 'grid'; readonly panes: Readonly<Record<Id, Rect>>; readonly status: Rect }
  | { readonly mode: 'tabs'; readonly tabBar: Rect; readonly body: Rect; readonly status: Rect }
  | { readonly mode: 'too-small'; readonly cols: number; readonly rows: number };

/** The layout of either pane set: the node console's or the lab's. */
export type ConsoleLayout = Layout<NodePaneId> | Layout<LabPaneId>;

export function computeLayout(cols: number, rows: number): Layout<NodePaneId>;
export function computeLayout(cols: number, rows: number, set: 'lab'): Layout<LabPaneId>;
export function computeLayout(cols: number, rows: number, set: 'node' | 'lab'): Layout<NodePaneId> | Layout<LabPaneId>;
export function computeLayout(
  cols: number,
  rows: number,
  set: 'node' | 'lab' = 'node',
): Layout<NodePaneId> | Layout<LabPaneId> {
  if (cols < TABS_MIN.cols || rows < TABS_MIN.rows) return { mode: 'too-small', cols, rows };
  const status: Rect = { left: 0, top: rows - STATUS_ROWS, width: cols, height: STATUS_ROWS };
  if (cols < GRID_MIN.cols || rows < GRID_MIN.rows) {
    return {
      mode: 'tabs',
      tabBar: { left: 0, top: 0, width: cols, height: 1 },
      body: { left: 0, top: 1, width: cols, height: rows - 1 - STATUS_ROWS },
      status,
    };
  }
  if (set === 'lab') return { mode: 'grid', panes: labPanes(cols, rows - STATUS_ROWS), status };
  return { mode: 'grid', panes: gridPanes(cols, rows - STATUS_ROWS), status };
}

/** The lab: ring map | finger table | stabilization on top; lab (chart, health) | log below. */
function labPanes(cols: number, rows: number): Record<LabPaneId, Rect> {
  const topH = Math.round(rows * 0.55);
  const botH = rows - topH;
  const [ringW, fingersW, stabW] = split(cols, [0.36, 0.34, 0.3]);
  const [labW, logW] = split(cols, [0.55, 0.45]);
  return {
    ring: { left: 0, top: 0, width: ringW, height: topH },
    fingers: { left: ringW, top: 0, width: fingersW, height: topH },
    stabilize: { left: ringW + fingersW, top: 0, width: stabW, height: topH },
    lab: { left: 0, top: topH, width: labW, height: botH },
    log: { left: labW, top: topH, width: logW, height: botH },
  };
}

/**
 * Top row: ring map | finger table | stabilization. Bottom row: log | files | transfers over
 * tracker. The ring map gets enough rows for a round circle (cells are twice as tall as wide).
 */
function gridPanes(cols: number, rows: number): Record<NodePaneId, Rect> {
  const topH = Math.round(rows * 0.55);
  const botH = rows - topH;
  const [ringW, fingersW, stabW] = split(cols, [0.34, 0.36, 0.3]);
  const [logW, filesW, rightW] = split(cols, [0.44, 0.22, 0.34]);
  const transfersH = Math.round(botH * 0.55);
  return {
    ring: { left: 0, top: 0, width: ringW, height: topH },
    fingers: { left: ringW, top: 0, width: fingersW, height: topH },
    stabilize: { left: ringW + fingersW, top: 0, width: stabW, height: topH },
    log: { left: 0, top: topH, width: logW, height: botH },
    files: { left: logW, top: topH, width: filesW, height: botH },
    transfers: { left: logW + filesW, top: topH, width: rightW, height: transfersH },
    tracker: { left: logW + filesW, top: topH + transfersH, width: rightW, height: botH - transfersH },
  };
}

/** Splits `total` by weights into integers that add up exactly to `total`. */
export function split(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const out: number[] = [];
  let used = 0;
  let acc = 0;
  for (const w of weights) {
    acc += w;
    const edge = Math.round((total * acc) / sum);
    out.push(edge - used);
    used = edge;
  }
  return out;
}
