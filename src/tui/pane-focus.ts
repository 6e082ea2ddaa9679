/**
 * Which pane has the focus (its keys work, its border is highlighted): number keys, Tab and
 * shift-Tab move it, and with the mouse on, a click.
 */
import type { PaneId } from './layout.js';
import type { PaneSet } from './pane-set.js';

export class PaneFocus {
  current: PaneId = 'ring';

  constructor(
    private readonly panes: PaneSet,
    /** Called after every move (the tab layout shows only the focused pane). */
    private readonly moved: () => void,
  ) {}

  /** Focuses `id`; an id the console does not show keeps the focus where it is. */
  focus(id: PaneId): void {
    const old = this.panes.get(this.current);
    old.focused = false;
    old.markDirty();
    this.current = this.panes.has(id) ? id : this.current;
    const p = this.panes.get(this.current);
    p.focused = true;
    p.markDirty();
    this.moved();
  }

  cycle(delta: number): void {
    const order = this.panes.order;
    const i = order.indexOf(this.current);
    this.focus(order[(i + delta + order.length) % order.length]!);
  }

  /** Mouse: a click focuses a pane, the wheel scrolls the log. */
  enableMouse(): void {
    for (const id of this.panes.order) this.panes.get(id).box.on('click', () => this.focus(id));
    const log = this.panes.log;
    log.box.on('wheelup', () => log.scrollBy(3));
    log.box.on('wheeldown', () => log.scrollBy(-3));
  }
}
