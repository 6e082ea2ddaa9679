/**
 * What the console draws besides the panes and the status bar: the tab bar of the small
 * layout and the "terminal too small" notice.
 */
import * as blessed from './blessed-parts.js';
import type { Widgets } from 'blessed';
import { type ConsoleLayout, GRID_MIN, type PaneId, TABS_MIN } from './layout.js';
import { tabBarLine } from './tab-bar.js';
import { blessedStyle, type Theme } from './theme.js';

export class ScreenChrome {
  private readonly tabBar: Widgets.BoxElement;
  private readonly tooSmall: Widgets.BoxElement;

  constructor(private readonly screen: Widgets.Screen) {
    this.tabBar = blessed.box({ parent: screen, tags: true, wrap: false, height: 1, hidden: true });
    this.tooSmall = blessed.box({
      parent: screen,
      tags: true,
      top: 'center',
      left: 'center',
      width: '100%',
      height: 6,
      align: 'center',
      hidden: true,
    });
  }

  /** Shows what the layout needs: the tab bar in tabs mode, the notice when too small. */
  place(layout: ConsoleLayout): void {
    showIf(this.tabBar, layout.mode === 'tabs');
    showIf(this.tooSmall, layout.mode === 'too-small');
    if (layout.mode === 'tabs') Object.assign(this.tabBar, { left: 0, top: 0, width: layout.tabBar.width });
  }

  drawTabBar(theme: Theme, focused: PaneId, order: readonly PaneId[]): void {
    this.tabBar.setContent(tabBarLine(theme, focused, Number(this.screen.width), order));
  }

  drawTooSmall(t: Theme, unicode: boolean): void {
    const x = unicode ? '×' : 'x';
    this.tooSmall.style = blessedStyle(t, 'text');
    this.tooSmall.setContent(
      [
        t.tag('error', 'Terminal too small'),
        `${this.screen.width}${x}${this.screen.height}: p2pterm needs at least ${TABS_MIN.cols}${x}${TABS_MIN.rows}`,
        t.tag('dim', `(${GRID_MIN.cols}${x}${GRID_MIN.rows} or more shows every pane at once)`),
        t.tag('dim', 'resize the terminal, or press q to quit'),
      ].join('\n'),
    );
  }
}

export function showIf(el: Widgets.BoxElement, on: boolean): void {
  if (on) el.show();
  else el.hide();
}
