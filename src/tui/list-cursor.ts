/** A selection and a scroll position over a list of rows, kept in range as the list changes. */
import { SCROLL_KEYS, type KeyBinding } from './keymap.js';

export class ListCursor {
  selected = 0;
  top = 0;
  /** Rows last shown (a page for PgUp/PgDn). */
  page = 10;

  /** Moves the selection by `delta` rows within `count`. */
  move(delta: number, count: number): void {
    this.selected = clamp(this.selected + delta, 0, count - 1);
  }

  toEnd(count: number): void {
    this.selected = Math.max(0, count - 1);
  }

  /** The first row to show so the selection stays visible in `height` rows. */
  window(count: number, height: number): { start: number; end: number } {
    this.page = Math.max(1, height);
    this.selected = clamp(this.selected, 0, count - 1);
    if (this.selected < this.top) this.top = this.selected;
    if (this.selected >= this.top + height) this.top = this.selected - height + 1;
    this.top = clamp(this.top, 0, Math.max(0, count - height));
    return { start: this.top, end: Math.min(count, this.top + height) };
  }

  /** j/k, arrows, PgUp/PgDn, g/G bindings for a list of `count()` rows. */
  bindings(count: () => number, changed: () => void, what = 'row'): KeyBinding[] {
    const go = (f: () => void) => () => (f(), changed());
    return [
      { keys: SCROLL_KEYS.down, help: `next ${what}`, run: go(() => this.move(1, count())) },
      { keys: SCROLL_KEYS.up, help: `previous ${what}`, run: go(() => this.move(-1, count())) },
      { keys: SCROLL_KEYS.pageDown, help: 'page down', run: go(() => this.move(this.page, count())) },
      { keys: SCROLL_KEYS.pageUp, help: 'page up', run: go(() => this.move(-this.page, count())) },
      { keys: SCROLL_KEYS.top, help: 'first', run: go(() => (this.selected = 0)) },
      { keys: SCROLL_KEYS.bottom, help: 'last', run: go(() => this.toEnd(count())) },
    ];
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}
