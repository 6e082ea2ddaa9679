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
  let selected = 0;
  const lines = () =>
    SETTING_FIELDS.map((f, i) => {
      const v = deps.store.get(f.key);
      const shown =
        v === undefined
          ? deps.theme().tag('dim', '(not set)')
          : escapeTags(String(typeof v === 'boolean' ? (v ? 'on' : 'off') : v));
      const text = `${fit(f.label, 28, '')} ${shown}`;
      return i === selected ? deps.theme().tag('selected', `${deps.glyphs.pointer} ${text}`) : `  ${text}`;
    });
  const where = deps.store.path ? `saved in ${deps.store.path}` : 'not saved (in memory)';
  const edit = (overlay: OverlayBox) => {
    const f = SETTING_FIELDS[selected]!;
    const cur = deps.store.get(f.key);
    deps.ask(
      `${f.label}: `,
      cur === undefined ? '' : typeof cur === 'boolean' ? (cur ? 'on' : 'off') : String(cur),
      (text) => {
        if (text === null) return;
        try {
          const value = f.parse(text);
          const note = deps.apply(f, value);
          deps.store.set(f.key, value as never);
          deps.say(`${f.label} = ${value === undefined ? '(not set)' : String(value)}${note ? ` (${note})` : ''}`);
        } catch (e) {
          deps.say(`${f.label}: ${(e as Error).message}`, 'error');
        }
        overlay.setLines(lines());
      },
    );
  };
  const overlay: OverlayBox = new OverlayBox(deps.screen, deps.theme, {
    title: 'Settings',
    lines: lines(),
    footer: `j/k select  Enter edit  Esc close  ${deps.glyphs.dot} ${where}`,
    closeKeys: ['escape', 'q', ','],
    onClose: deps.onClose,
    onKey: (name, o) => {
      if (name === 'j' || name === 'down' || name === 'k' || name === 'up') {
        selected =
          (selected + (name === 'j' || name === 'down' ? 1 : -1) + SETTING_FIELDS.length) % SETTING_FIELDS.length;
        o.setLines(lines());
        return true;
      }
      if (name === 'enter') return (edit(o), true);
      return false;
    },
  });
  return overlay;
}
