/** The tab bar shown instead of the side-by-side layout on small terminals. */
import { PANE_IDS, type PaneId } from './layout.js';
import type { Theme } from './theme.js';

const LONG: Record<PaneId, string> = { ring: 'Ring map', fingers: 'Fingers', stabilize: 'Stabilization', log: 'Log', files: 'Files', transfers: 'Transfers', tracker: 'Tracker' };
const SHORT: Record<PaneId, string> = { ring: 'Ring', fingers: 'Fingers', stabilize: 'Stab', log: 'Log', files: 'Files', transfers: 'Xfers', tracker: 'Tracker' };

export function tabBarLine(theme: Theme, focused: PaneId, width: number): string {
  const build = (names: Record<PaneId, string> | null) => PANE_IDS.map((id, i) => ` ${i + 1}${names ? ` ${names[id]}` : ''} `);
  let labels = build(LONG);
  if (labels.join('').length > width) labels = build(SHORT);
  if (labels.join('').length > width) labels = build(null);
  return PANE_IDS.map((id, i) => theme.tag(id === focused ? 'tabActive' : 'tab', labels[i]!)).join('');
}
