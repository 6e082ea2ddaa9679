/**
 * One line of input on the bottom line: the `:` command line (with history and Tab completion
 * of command names) and the `/` filters. Pure state plus a render to tagged text; the app feeds
 * it key names.
 */
import { escapeTags } from './format.js';
import type { Theme } from './theme.js';

export interface PromptOptions {
  /** Older entries first; Up walks back from the end. */
  readonly history?: readonly string[];
  /** Completions for the first word. */
  readonly complete?: (word: string) => readonly string[];
  readonly onDone: (value: string | null) => void;
}

export class PromptLine {
  private text: string;
  private cursor: number;
  private historyIndex: number;
  private draft = '';

  constructor(
    readonly prefix: string,
    initial: string,
    private readonly opts: PromptOptions,
  ) {
    this.text = initial;
    this.cursor = initial.length;
    this.historyIndex = opts.history?.length ?? 0;
  }

  get value(): string {
    return this.text;
  }

  /** Handles one key; every key is consumed while the prompt is open. */
  handleKey(name: string): void {
    const edit = EDITS[name];
    if (edit) return edit(this);
    if (name === 'space') return this.insert(' ');
    if ([...name].length === 1) this.insert(name);
  }

  insert(s: string): void {
    this.text = this.text.slice(0, this.cursor) + s + this.text.slice(this.cursor);
    this.cursor += s.length;
  }

  finish(ok: boolean): void {
    this.opts.onDone(ok ? this.text : null);
  }

  backspace(): void {
    if (this.cursor === 0) return;
    this.text = this.text.slice(0, this.cursor - 1) + this.text.slice(this.cursor);
    this.cursor--;
  }

  deleteForward(): void {
    this.text = this.text.slice(0, this.cursor) + this.text.slice(this.cursor + 1);
  }

  deleteWord(): void {
    const before = this.text.slice(0, this.cursor).replace(/\S*\s*$/, '');
    this.text = before + this.text.slice(this.cursor);
    this.cursor = before.length;
  }

  moveTo(i: number): void {
    this.cursor = Math.max(0, Math.min(this.text.length, i));
  }

  move(delta: number): void {
    this.moveTo(this.cursor + delta);
  }

  clear(): void {
    this.text = '';
    this.cursor = 0;
  }

  history(delta: number): void {
    const h = this.opts.history ?? [];
    if (h.length === 0) return;
    if (this.historyIndex === h.length) this.draft = this.text;
    this.historyIndex = Math.max(0, Math.min(h.length, this.historyIndex + delta));
    this.text = this.historyIndex === h.length ? this.draft : h[this.historyIndex]!;
    this.cursor = this.text.length;
  }

  /** Tab: complete the first word to the longest common prefix of the matches. */
  completeWord(): void {
    if (!this.opts.complete || /\s/.test(this.text)) return;
    const matches = this.opts.complete(this.text);
    if (matches.length === 0) return;
    let common = matches[0]!;
    for (const m of matches) while (!m.startsWith(common)) common = common.slice(0, -1);
    this.text = matches.length === 1 ? `${common} ` : common;
    this.cursor = this.text.length;
  }

  /** The prompt as a tagged line of at most `width` columns, with a visible cursor. */
  render(theme: Theme, width: number): string {
    const room = Math.max(1, width - this.prefix.length - 1);
    const start = Math.max(0, this.cursor - room + 1);
    const shown = this.text.slice(start, start + room);
    const at = this.cursor - start;
    const cursorCh = shown[at] ?? ' ';
    return (
      theme.tag('prompt', escapeTags(this.prefix)) +
      escapeTags(shown.slice(0, at)) +
      `{inverse}${escapeTags(cursorCh)}{/inverse}` +
      escapeTags(shown.slice(at + 1))
    );
  }
}

const EDITS: Record<string, (p: PromptLine) => void> = {
  enter: (p) => p.finish(true),
  escape: (p) => p.finish(false),
  backspace: (p) => p.backspace(),
  'C-h': (p) => p.backspace(),
  delete: (p) => p.deleteForward(),
  'C-w': (p) => p.deleteWord(),
  'C-u': (p) => p.clear(),
  left: (p) => p.move(-1),
  right: (p) => p.move(1),
  home: (p) => p.moveTo(0),
  'C-a': (p) => p.moveTo(0),
  end: (p) => p.moveTo(Infinity),
  'C-e': (p) => p.moveTo(Infinity),
  up: (p) => p.history(-1),
  down: (p) => p.history(1),
  tab: (p) => p.completeWord(),
};
