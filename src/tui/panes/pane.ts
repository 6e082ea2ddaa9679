/**
 * What every pane shares: a bordered blessed box, a dirty flag, bus subscriptions and keys.
 * A pane draws its inner area as lines of tagged text; it never touches sockets and never
 * renders the screen itself: the app's frame timer does, when something is dirty.
 */
import * as blessed from '../blessed-parts.js';
import type { Widgets } from 'blessed';
import type { EventBus } from '../../bus/event-bus.js';
import type { BusEventName, BusEvents } from '../../bus/events.js';
import type { ConsoleNode } from '../console-node.js';
import type { Glyphs } from '../glyphs.js';
import type { KeyBinding } from '../keymap.js';
import type { PaneId } from '../layout.js';
import type { TerminalCaps } from '../terminal-caps.js';
import { blessedStyle, type Theme } from '../theme.js';

/** What the app lends a pane. */
export interface PaneContext {
  readonly node: ConsoleNode;
  readonly caps: TerminalCaps;
  readonly glyphs: Glyphs;
  theme(): Theme;
  /** Ask for a frame (the pane marked itself dirty). */
  requestFrame(): void;
  /** Runs a line as if typed on the `:` command line (the reply is shown the same way). */
  runCommand(line: string): Promise<void>;
  hasCommand(name: string): boolean;
  /** A short message on the hint line. */
  say(text: string, level?: 'info' | 'error'): void;
  /** Reads one line on the bottom line; `null` when the user backs out with Esc. */
  ask(prompt: string, initial: string, done: (value: string | null) => void): void;
  /** Settings the panes show (the shared folder). */
  setting(key: 'dir' | 'tracker'): string | undefined;
  /** Opens plain lines (untrusted text, wrapped to the screen) in a box over the panes: a detail view. */
  show(title: string, lines: readonly string[]): void;
}

export abstract class Pane {
  abstract readonly id: PaneId;
  abstract readonly title: string;
  abstract readonly keys: readonly KeyBinding[];
  readonly box: Widgets.BoxElement;
  dirty = true;
  focused = false;
  private unsubscribe: (() => void)[] = [];
  /** What the box was last given: blessed re-parses text and label on every set, changed or not. */
  private shown: { content: string; label: string; theme: Theme; focused: boolean } | null = null;

  constructor(protected readonly ctx: PaneContext) {
    this.box = blessed.box({ tags: true, wrap: false, border: { type: 'line' }, hidden: true });
  }

  /** Subscribes to the bus; every event named marks the pane dirty after `fn` ran. */
  attach(bus: EventBus): () => void {
    this.subscribe(bus);
    return () => this.detach();
  }

  detach(): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
  }

  protected abstract subscribe(bus: EventBus): void;

  protected on<K extends BusEventName>(bus: EventBus, name: K, fn: (payload: BusEvents[K]) => boolean | void): void {
    this.unsubscribe.push(
      bus.on(name, (p) => {
        if (fn(p) !== false) this.markDirty();
      }),
    );
  }

  /** Events that only mean "draw again". */
  protected redrawOn(bus: EventBus, names: readonly BusEventName[]): void {
    for (const name of names) this.on(bus, name, () => true);
  }

  markDirty(): void {
    this.dirty = true;
    this.ctx.requestFrame();
  }

  /** Inner width and height (inside the border). */
  get inner(): { width: number; height: number } {
    const w = typeof this.box.width === 'number' ? this.box.width : 0;
    const h = typeof this.box.height === 'number' ? this.box.height : 0;
    return { width: Math.max(0, w - 2), height: Math.max(0, h - 2) };
  }

  /**
   * Redraws the box's content and label from the pane's state; false when both came out as
   * they were (the box then keeps its cells).
   */
  render(number: number): boolean {
    const { width, height } = this.inner;
    const lines = width > 0 && height > 0 ? this.draw(width, height) : [];
    this.dirty = false;
    const next = {
      content: lines.slice(0, height).join('\n'),
      label: this.label(number),
      theme: this.ctx.theme(),
      focused: this.focused,
    };
    const was = this.shown;
    this.shown = next;
    const text = was?.content !== next.content;
    const label = was?.label !== next.label;
    const style = was?.theme !== next.theme || was?.focused !== next.focused;
    if (text) this.box.setContent(next.content);
    if (label) this.box.setLabel(next.label);
    if (style) this.applyStyle(next.theme);
    return text || label || style;
  }

  /** The pane's lines, at most `height`, each at most `width` columns. */
  protected abstract draw(width: number, height: number): string[];

  /** Extra words after the title ("1234 lines", "paused"). */
  protected titleExtra(): string {
    return '';
  }

  /** In how many ms the pane wants a frame even without events (ages, flashes); null for never. */
  wakeIn(): number | null {
    return null;
  }

  /** The console now shows another node (the ring lab): forget what belonged to the old one. */
  nodeChanged(): void {
    this.dirty = true;
  }

  /** Esc on this pane: undo a filter or a mode; false when there is nothing to back out of. */
  back(): boolean {
    return false;
  }

  private label(number: number): string {
    const theme = this.ctx.theme();
    const extra = this.titleExtra();
    const text = ` ${number} ${this.title}${extra ? ` ${this.ctx.glyphs.dot} ${extra}` : ''} `;
    return this.focused ? theme.tag('titleFocus', `${this.ctx.glyphs.pointer}${text}`) : theme.tag('title', text);
  }

  private applyStyle(theme: Theme): void {
    const border = blessedStyle(theme, this.focused ? 'borderFocus' : 'border');
    this.box.style = { ...blessedStyle(theme, 'text'), border, label: {} };
  }
}
