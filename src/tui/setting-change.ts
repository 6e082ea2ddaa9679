/** Changing a remembered setting from the console: parse, apply live where possible, save. */
import type { SettingField, SettingsStore } from './settings.js';

/** What a changed setting can act on while the console runs. */
export interface LiveSettingTargets {
  setTheme(name: string): void;
  setFps(fps: number): void;
  setStabilizeMs(ms: number): void;
  setMouse(on: boolean): void;
}

/** Applies a changed value live; returns a note when it only applies at the next start. */
export function applySetting(f: SettingField, value: unknown, live: LiveSettingTargets): string | void {
  switch (f.key) {
    case 'theme':
      return live.setTheme(String(value));
    case 'refreshHz':
      return live.setFps(Number(value));
    case 'stabilizeMs':
      return live.setStabilizeMs(Number(value));
    case 'mouse':
      live.setMouse(Boolean(value));
      return;
    default:
      return 'applies at the next start';
  }
}

/**
 * Parses `text` for the field, applies it and saves it; returns the value as the message shows
 * it ("500", "(not set)", "tracker:7734 (applies at the next start)"). Throws on bad input.
 */
export function changeSetting(
  f: SettingField,
  text: string,
  apply: (f: SettingField, value: unknown) => string | void,
  store: SettingsStore,
): string {
  const value = f.parse(text);
  const note = apply(f, value);
  store.set(f.key, value as never);
  return `${value === undefined ? '(not set)' : String(value)}${note ? ` (${note})` : ''}`;
}
