/**
 * Modal boxes over the panes: the help overlay, command replies, confirmations and the
 * settings view. A modal gets every key until it closes; Esc always backs out of it.
 */
import * as blessed from './blessed-parts.js';
import type { Widgets } from 'blessed';
import { clipTagged, escapeTags } from './format.js';
import { blessedStyle, type Theme } from './theme.js';

export interface Modal {
  /** Handles one key; the modal may close itself. */
  handleKey(name: string): void;
  /** Redraws (theme or size changed). */
  render(): void;
  readonly closed: boolean;
  close(): void;
}

export interface OverlayOptions {
  readonly title: string;
  /** Tagged lines (escape untrusted text first). */
  readonly lines: readonly string[];
  /** Shown under the lines, e.g. "Esc closes". */
  readonly footer?: string;
  /** Keys handled before scrolling and closing; return true when handled. */
  readonly onKey?: (name: string, overlay: OverlayBox) => boolean;
  readonly onClose?: () => void;
  /** Keys that close the box (default Esc, q, Enter). */
  readonly closeKeys?: readonly string[];
}

export class OverlayBox implements Modal {
  readonly box: Widgets.BoxElement;
  closed = false;
  private top = 0;
  private lines: readonly string[];

  constructor(
    private readonly screen: Widgets.Screen,
    private readonly theme: () => Theme,
    private readonly opts: OverlayOptions,
  ) {
    this.lines = opts.lines;
    this.box = blessed.box({
      parent: screen,
      tags: true,
      wrap: false,
      border: { type: 'line' },
      top: 'center',
      left: 'center',
      width: 10,
      height: 5,
    });
    this.render();
  }

  setLines(lines: readonly string[]): void {
    this.lines = lines;
    this.render();
  }

  handleKey(name: string): void {
    if (this.opts.onKey?.(name, this)) return;
    const page = this.bodyHeight();
    const scroll: Record<string, number> = {
      j: 1,
      down: 1,
      k: -1,
      up: -1,
      pagedown: page,
      space: page,
      'C-d': page,
      pageup: -page,
      'C-u': -page,
      g: -Infinity,
      G: Infinity,
    };
    if (name in scroll) {
      this.top = Math.max(0, Math.min(Math.max(0, this.lines.length - page), this.top + scroll[name]!));
      this.render();
      return;
    }
    if ((this.opts.closeKeys ?? ['escape', 'q', 'enter']).includes(name)) this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.box.destroy();
    this.opts.onClose?.();
  }

  render(): void {
    if (this.closed) return;
    const t = this.theme();
    const sw = Number(this.screen.width);
    const sh = Number(this.screen.height);
    const widest = Math.max(
      this.opts.title.length + 4,
      this.opts.footer ? this.opts.footer.length : 0,
      ...this.lines.map(visibleWidth),
    );
    const width = Math.min(sw - 2, Math.max(30, widest + 4));
    const height = Math.min(sh - 2, this.lines.length + 2 + (this.opts.footer ? 2 : 0));
    this.box.width = width;
    this.box.height = Math.max(4, height);
    this.box.style = { ...blessedStyle(t, 'overlay'), border: blessedStyle(t, 'borderFocus') };
    this.box.setLabel(t.tag('titleFocus', ` ${escapeTags(this.opts.title)} `));
    const body = this.lines.slice(this.top, this.top + this.bodyHeight()).map((l) => ' ' + clipTagged(l, width - 4));
    const more =
      this.top + this.bodyHeight() < this.lines.length
        ? ` (${this.lines.length - this.top - this.bodyHeight()} more, j/k scroll)`
        : '';
    if (this.opts.footer) body.push('', ' ' + t.tag('dim', escapeTags(this.opts.footer + more)));
    this.box.setContent(body.join('\n'));
    this.box.setFront();
  }

  private bodyHeight(): number {
    return Math.max(1, Number(this.box.height) - 2 - (this.opts.footer ? 2 : 0));
  }
}

function visibleWidth(line: string): number {
  return line.replace(/\{(open|close)\}/g, 'x').replace(/\{[^{}]*\}/g, '').length;
}
