/**
 * Every component's log lines with level and topic: thousands of lines of scrollback, a `/`
 * filter (text, or `topic:NAME`, or `level:warn`), a minimum level, and a follow mode that
 * pauses when you scroll up and resumes with G or f.
 */
import type { EventBus } from '../../bus/event-bus.js';
import type { BusEvents } from '../../bus/events.js';
import type { LogLevel } from '../../core/log.js';
import { clockTime, escapeTags, fit } from '../format.js';
import type { KeyBinding } from '../keymap.js';
import type { ThemeRole } from '../theme.js';
import { Pane, type PaneContext } from './pane.js';
import { defaultLogFileName, saveLog } from '../log-save.js';

export type LogLine = BusEvents['log:line'];

/** Lines kept; older ones are dropped. */
export const LOG_SCROLLBACK = 5_000;
const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const LEVEL_ROLE: Record<LogLevel, ThemeRole> = { debug: 'debug', info: 'text', warn: 'warn', error: 'error' };

export class LogPane extends Pane {
  readonly id = 'log' as const;
  readonly title = 'Log';
  readonly keys: readonly KeyBinding[];
  private lines: LogLine[] = [];
  private filter = '';
  private minLevel: LogLevel = 'debug';
  private follow = true;
  /** Lines scrolled up from the newest when not following. */
  private fromBottom = 0;
  private unseen = 0;
  private page = 10;

  constructor(ctx: PaneContext, initial: readonly LogLine[] = []) {
    super(ctx);
    for (const l of initial) this.push(l);
    this.keys = [
      {
        keys: ['/'],
        help: 'filter: text, topic:NAME or level:LEVEL (empty clears)',
        hint: 'filter',
        run: () => this.askFilter(),
      },
      {
        keys: ['f', 'space'],
        label: 'f',
        help: 'pause / resume following new lines',
        hint: 'follow',
        run: () => this.setFollow(!this.follow),
      },
      {
        keys: ['v'],
        help: 'cycle the minimum level (debug, info, warn, error)',
        hint: 'level',
        run: () => this.cycleLevel(),
      },
      { keys: ['k', 'up'], help: 'scroll up a line', run: () => this.scroll(1) },
      { keys: ['j', 'down'], help: 'scroll down a line', run: () => this.scroll(-1) },
      { keys: ['pageup', 'C-u', 'C-b'], help: 'scroll up a page', run: () => this.scroll(this.page) },
      { keys: ['pagedown', 'C-d', 'C-f'], help: 'scroll down a page', run: () => this.scroll(-this.page) },
      { keys: ['g', 'home'], help: 'oldest line', run: () => this.scroll(Infinity) },
      { keys: ['G', 'end'], help: 'newest line and follow', run: () => this.setFollow(true) },
      { keys: ['c'], help: 'clear the log', run: () => this.clear() },
      { keys: ['w'], help: 'write the scrollback to a file (asks where)', hint: 'save', run: () => this.askSave() },
      {
        keys: ['enter'],
        help: 'open the bottom line shown (and the ones above it) whole, wrapped',
        hint: 'open',
        run: () => this.openWhole(),
      },
    ];
  }

  protected subscribe(bus: EventBus): void {
    this.on(bus, 'log:line', (l) => this.push(l));
  }

  push(l: LogLine): void {
    this.lines.push(l);
    if (this.lines.length > LOG_SCROLLBACK) this.lines.splice(0, this.lines.length - LOG_SCROLLBACK);
    if (!this.follow && this.matches(l)) this.unseen++, this.fromBottom++;
  }

  get lineCount(): number {
    return this.lines.length;
  }

  get following(): boolean {
    return this.follow;
  }

  setFilter(text: string): void {
    this.filter = text.trim();
    this.fromBottom = 0;
    this.markDirty();
  }

  protected override titleExtra(): string {
    const g = this.ctx.glyphs;
    const parts = [`${this.lines.length} line${this.lines.length === 1 ? '' : 's'}`];
    if (this.minLevel !== 'debug') parts.push(`${this.minLevel}+`);
    if (this.filter) parts.push(`filter "${this.filter}"`);
    if (!this.follow) parts.push(`${g.paused} PAUSED${this.unseen ? ` +${this.unseen} new` : ''}`);
    return parts.join(` ${g.dot} `);
  }

  protected draw(width: number, height: number): string[] {
    this.page = Math.max(1, height - 1);
    const shown = this.lines.filter((l) => this.matches(l));
    this.fromBottom = Math.min(this.fromBottom, Math.max(0, shown.length - height));
    const end = shown.length - (this.follow ? 0 : this.fromBottom);
    const slice = shown.slice(Math.max(0, end - height), end);
    if (slice.length === 0)
      return [
        this.ctx.theme().tag('dim', this.filter ? `no lines match "${escapeTags(this.filter)}"` : 'no log lines yet'),
      ];
    return slice.map((l) => this.format(l, width));
  }

  private format(l: LogLine, width: number): string {
    const t = this.ctx.theme();
    const head = `${clockTime(l.at)} ${fit(l.level.toUpperCase(), 5, '')} `;
    const topic = fit(l.topic, 9, this.ctx.glyphs.ellipsis) + ' ';
    const rest = Math.max(0, width - head.length - topic.length);
    const message = fit(l.message.replace(/[\r\n\t]+/g, ' '), rest, this.ctx.glyphs.ellipsis).trimEnd();
    return t.tag(LEVEL_ROLE[l.level], escapeTags(head)) + t.tag('accent', escapeTags(topic)) + escapeTags(message);
  }

  /** The bottom line in view, with the page above it, untruncated in a detail view. */
  private openWhole(): void {
    const shown = this.lines.filter((l) => this.matches(l));
    const end = shown.length - (this.follow ? 0 : this.fromBottom);
    const lines = shown.slice(Math.max(0, end - this.page), end);
    if (lines.length === 0) return this.ctx.say('log: no line to open', 'error');
    const text = lines.map((l) => `${clockTime(l.at)} ${l.level.toUpperCase()} ${l.topic}: ${l.message}`).reverse();
    this.ctx.show(`Log ${this.ctx.glyphs.dot} newest first`, text);
  }

  private matches(l: LogLine): boolean {
    if (LEVELS.indexOf(l.level) < LEVELS.indexOf(this.minLevel)) return false;
    const f = this.filter.toLowerCase();
    if (!f) return true;
    if (f.startsWith('topic:')) return l.topic.toLowerCase() === f.slice(6);
    if (f.startsWith('level:')) return LEVELS.indexOf(l.level) >= LEVELS.indexOf(f.slice(6) as LogLevel);
    return `${l.level} ${l.topic} ${l.message}`.toLowerCase().includes(f);
  }

  clear(): void {
    this.lines = [];
    this.unseen = 0;
    this.fromBottom = 0;
    this.markDirty();
  }

  /** Scrolls up by `lines` (down when negative); the mouse wheel uses it. */
  scrollBy(lines: number): void {
    this.scroll(lines);
  }

  private scroll(up: number): void {
    if (up > 0 && this.follow) (this.follow = false), (this.unseen = 0);
    this.fromBottom = Math.max(0, this.fromBottom + (up === Infinity ? this.lines.length : up));
    if (this.fromBottom === 0 && up < 0) this.follow = true;
    this.markDirty();
  }

  private setFollow(on: boolean): void {
    this.follow = on;
    this.fromBottom = 0;
    this.unseen = 0;
    this.markDirty();
  }

  private cycleLevel(): void {
    this.minLevel = LEVELS[(LEVELS.indexOf(this.minLevel) + 1) % LEVELS.length]!;
    this.ctx.say(`log: showing ${this.minLevel} and above`);
    this.markDirty();
  }

  /** `w`: the whole scrollback (not only the filtered lines) to a file; says where, or why not. */
  private askSave(): void {
    this.ctx.ask('save log to: ', defaultLogFileName(), (v) => {
      if (v === null || v.trim() === '') return;
      const lines = [...this.lines];
      saveLog(lines, v.trim()).then(
        (path) => this.ctx.say(`log: saved ${lines.length} lines to ${path}`),
        (e: Error) => this.ctx.say(`log: cannot save to ${v.trim()}: ${e.message}`, 'error'),
      );
    });
  }

  private askFilter(): void {
    this.ctx.ask('/', this.filter, (v) => v !== null && this.setFilter(v));
  }

  override back(): boolean {
    if (this.filter) return (this.setFilter(''), true);
    if (!this.follow) return (this.setFollow(true), true);
    return false;
  }
}
