/**
 * The console's bottom line (under the status line): the `:` or `/` prompt while one is open,
 * else a short message for a few seconds (command results, errors), else key hints.
 */
import { escapeTags } from './format.js';
import { hintLine } from './help-text.js';
import type { KeyBinding } from './keymap.js';
import type { BottomLineSource } from './panes/status-bar.js';
import { PromptLine } from './prompt-line.js';
import type { SettingsStore } from './settings.js';
import type { Theme } from './theme.js';

/** How long a message stays, in ms. */
const INFO_MS = 3000;
const ERROR_MS = 6000;
/** Entries of the command history kept in the settings. */
const HISTORY_MAX = 100;

/** The hint while a modal is open: Esc is handled by the modal itself. */
const CLOSE_HINT: KeyBinding = { keys: ['escape'], help: '', hint: 'close', run: () => undefined };

export interface BottomLineDeps {
  readonly width: () => number;
  readonly theme: () => Theme;
  readonly unicode: boolean;
  /** The bottom line changed: the status bar must be drawn again. */
  readonly changed: () => void;
  /** Bindings whose hints show, in order; null while a modal is open. */
  readonly hintKeys: () => readonly KeyBinding[] | null;
  /** Command names starting with `word` (Tab on the command line). */
  readonly complete: (word: string) => readonly string[];
}

export class BottomLine implements BottomLineSource {
  private prompt: PromptLine | null = null;
  private message: { text: string; level: 'info' | 'error'; until: number } | null = null;

  constructor(private readonly deps: BottomLineDeps) {}

  /** True while a prompt is open: it gets every key. */
  get prompting(): boolean {
    return this.prompt !== null;
  }

  handleKey(name: string): void {
    this.prompt?.handleKey(name);
    this.deps.changed();
  }

  override(): string | null {
    const theme = this.deps.theme();
    if (this.prompt) return this.prompt.render(theme, this.deps.width());
    if (this.message)
      return theme.tag(this.message.level === 'error' ? 'error' : 'accent', escapeTags(this.message.text));
    return null;
  }

  hints(): string {
    return hintLine(this.deps.theme(), this.deps.hintKeys() ?? [CLOSE_HINT], this.deps.unicode);
  }

  say(text: string, level: 'info' | 'error' = 'info'): void {
    this.message = { text, level, until: Date.now() + (level === 'error' ? ERROR_MS : INFO_MS) };
    this.deps.changed();
  }

  /** Drops the message once it is due; true when it did. */
  expire(now: number): boolean {
    if (!this.message || this.message.until > now) return false;
    this.message = null;
    return true;
  }

  /** When the message is due to go (Infinity without one). */
  until(): number {
    return this.message ? this.message.until : Infinity;
  }

  /** Reads one line; `done(null)` when the user backs out. With a history, Tab completes command names. */
  ask(prefix: string, initial: string, done: (v: string | null) => void, history?: string[]): void {
    this.prompt = new PromptLine(prefix, initial, {
      history,
      complete: history ? this.deps.complete : undefined,
      onDone: (v) => {
        this.prompt = null;
        this.deps.changed();
        done(v);
      },
    });
    this.message = null;
    this.deps.changed();
  }

  /** The `:` command line: runs what was typed and remembers it in the settings' history. */
  openCommandLine(settings: SettingsStore, run: (line: string) => void): void {
    const done = (line: string | null) => {
      if (line === null || !line.trim()) return;
      remember(settings, line.trim());
      run(line);
    };
    this.ask(':', '', done, settings.get('history'));
  }
}

function remember(settings: SettingsStore, line: string): void {
  const h = settings.get('history').filter((x) => x !== line);
  h.push(line);
  settings.set('history', h.slice(-HISTORY_MAX));
}
