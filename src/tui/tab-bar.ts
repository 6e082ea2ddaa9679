/** The tab bar shown instead of the side-by-side layout on small terminals. */
import { PANE_IDS, type PaneId } from './layout.js';
import type { Theme } from './theme.js';

const LONG: Record<PaneId, string> = {
  ring: 'Ring map',
  fingers: 'Fingers',
  stabilize: 'Stabilization',
  log: 'Log',
  files: 'Files',
  transfers: 'Transfers',
  tracker: 'Tracker',
  lab: 'Lab',
};
const SHORT: Record<PaneId, string> = {
  ring: 'Ring',
  fingers: 'Fingers',
  stabilize: 'Stab',
  log: 'Log',
  files: 'Files',
  transfers: 'Xfers',
  tracker: 'Tracker',
  lab: 'Lab',
};

export function tabBarLine(theme: Theme, focused: PaneId, width: number, ids: readonly PaneId[] = PANE_IDS): string {
  const build = (names: Record<PaneId, string> | null) =>
    ids.map((id, i) => ` ${i + 1}${names ? ` ${names[id]}` : ''} `);
  let labels = build(LONG);
  if (labels.join('').length > width) labels = build(SHORT);
  if (labels.join('').length > width) labels = build(null);
  return ids.map((id, i) => theme.tag(id === focused ? 'tabActive' : 'tab', labels[i]!)).join('');
}
