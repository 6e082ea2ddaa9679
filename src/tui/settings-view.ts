/**
 * The settings view: every remembered setting with its value; j/k select, Enter edits on the
 * bottom line, and the new value is saved at once and applied live where it can be (theme,
 * refresh rate, stabilization interval, mouse). Flags given on the command line still win at
 * the next start.
 */
import type { Widgets } from 'blessed';
import { escapeTags, fit } from './format.js';
import type { Glyphs } from './glyphs.js';
import { OverlayBox } from './overlay.js';
import { changeSetting } from './setting-change.js';
import { SETTING_FIELDS, type SettingField, type SettingsStore } from './settings.js';
import type { Theme } from './theme.js';

export interface SettingsViewDeps {
  readonly screen: Widgets.Screen;
  readonly theme: () => Theme;
  readonly glyphs: Glyphs;
  readonly store: SettingsStore;
  readonly ask: (prompt: string, initial: string, done: (value: string | null) => void) => void;
  /** Applies a changed value live; returns a note such as "applies at next start", or throws. */
  readonly apply: (field: SettingField, value: unknown) => string | void;
  readonly say: (text: string, level?: 'info' | 'error') => void;
  readonly onClose?: () => void;
}

export function openSettingsView(deps: SettingsViewDeps): OverlayBox {
  const view = new SettingsView(deps);
  const where = deps.store.path ? `saved in ${deps.store.path}` : 'not saved (in memory)';
  return new OverlayBox(deps.screen, deps.theme, {
    title: 'Settings',
    lines: view.lines(),
    footer: `j/k select  Enter edit  Esc close  ${deps.glyphs.dot} ${where}`,
    closeKeys: ['escape', 'q', ','],
    onClose: deps.onClose,
    onKey: (name, o) => view.handleKey(name, o),
  });
}

const MOVES: Readonly<Record<string, number>> = { j: 1, down: 1, k: -1, up: -1 };

class SettingsView {
  private selected = 0;

  constructor(private readonly deps: SettingsViewDeps) {}

  lines(): string[] {
    return SETTING_FIELDS.map((f, i) => this.line(f, i === this.selected));
  }

  /** True when the key was the view's (select, edit). */
  handleKey(name: string, overlay: OverlayBox): boolean {
    const move = MOVES[name];
    if (move !== undefined) {
      this.selected = (this.selected + move + SETTING_FIELDS.length) % SETTING_FIELDS.length;
      overlay.setLines(this.lines());
      return true;
    }
    if (name === 'enter') return (this.edit(overlay), true);
    return false;
  }

  private line(f: SettingField, selected: boolean): string {
    const theme = this.deps.theme();
    const v = this.deps.store.get(f.key);
    const shown = v === undefined ? theme.tag('dim', '(not set)') : escapeTags(showValue(v));
    const text = `${fit(f.label, 28, '')} ${shown}`;
    return selected ? theme.tag('selected', `${this.deps.glyphs.pointer} ${text}`) : `  ${text}`;
  }

  private edit(overlay: OverlayBox): void {
    const f = SETTING_FIELDS[this.selected]!;
    const cur = this.deps.store.get(f.key);
    this.deps.ask(`${f.label}: `, cur === undefined ? '' : showValue(cur), (text) => {
      if (text === null) return;
      this.change(f, text);
      overlay.setLines(this.lines());
    });
  }

  private change(f: SettingField, text: string): void {
    try {
      this.deps.say(`${f.label} = ${changeSetting(f, text, this.deps.apply, this.deps.store)}`);
    } catch (e) {
      this.deps.say(`${f.label}: ${(e as Error).message}`, 'error');
    }
  }
}

function showValue(v: unknown): string {
  return String(typeof v === 'boolean' ? (v ? 'on' : 'off') : v);
}
