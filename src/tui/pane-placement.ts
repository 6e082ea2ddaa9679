/**
 * Puts the panes where the layout says for the screen's size: every pane side by side, the
 * focused one alone under a tab bar, or none at all when the terminal is too small.
 */
import type { Widgets } from 'blessed';
import { type ConsoleLayout, computeLayout, type PaneId, type Rect } from './layout.js';
import type { PaneSet } from './pane-set.js';
import type { StatusBar } from './panes/status-bar.js';
import { type ScreenChrome, showIf } from './screen-chrome.js';

export interface PlacementDeps {
  readonly screen: Widgets.Screen;
  readonly set: 'node' | 'lab';
  readonly panes: PaneSet;
  readonly status: StatusBar;
  readonly chrome: ScreenChrome;
  readonly focused: () => PaneId;
  /** Everything on screen moved: overlays re-centre, the next frame draws every cell. */
  readonly moved: () => void;
}

export class PanePlacement {
  layout: ConsoleLayout;
  /** The focused pane alone on the whole screen (grid layouts only; tabs show one pane anyway). */
  zoomed = false;

  constructor(private readonly deps: PlacementDeps) {
    this.layout = this.compute();
  }

  /** Lays the screen out again for its current size. */
  relayout(): void {
    const { panes, status, chrome } = this.deps;
    this.layout = this.compute();
    const l = this.layout;
    for (const id of panes.order) this.placePane(id, this.rectOf(id));
    chrome.place(l);
    showIf(status.box, l.mode !== 'too-small');
    if (l.mode !== 'too-small') {
      const { left, top, width, height } = l.status;
      Object.assign(status.box, { left, top, width, height });
    }
    this.deps.moved();
    status.dirty = true;
  }

  private compute(): ConsoleLayout {
    return computeLayout(Number(this.deps.screen.width), Number(this.deps.screen.height), this.deps.set);
  }

  private rectOf(id: PaneId): Rect | null | undefined {
    const l = this.layout;
    if (l.mode === 'grid' && this.zoomed)
      return id === this.deps.focused() ? { left: 0, top: 0, width: l.status.width, height: l.status.top } : null;
    if (l.mode === 'grid') return (l.panes as Partial<Record<PaneId, Rect>>)[id];
    return l.mode === 'tabs' && id === this.deps.focused() ? l.body : null;
  }

  private placePane(id: PaneId, rect: Rect | null | undefined): void {
    const pane = this.deps.panes.get(id);
    if (rect) {
      Object.assign(pane.box, { left: rect.left, top: rect.top, width: rect.width, height: rect.height });
      pane.box.show();
    } else pane.box.hide();
    pane.dirty = true;
  }
}
