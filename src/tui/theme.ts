/**
 * Named colour themes loaded from `themes/*.json`. A theme maps every role the console draws
 * (borders, this node, log levels, ...) to a style spec such as "#ffaf00 bold" or
 * "black on cyan", with a 256-colour and a 16-colour variant. NO_COLOR selects `mono`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { basename, join } from 'node:path';

export const THEME_ROLES = [
  'text',
  'dim',
  'border',
  'borderFocus',
  'title',
  'titleFocus',
  'accent',
  'heading',
  'self',
  'pred',
  'succ',
  'succList',
  'finger',
  'node',
  'path',
  'ring',
  'selected',
  'ok',
  'warn',
  'error',
  'debug',
  'flash',
  'gaugeFill',
  'gaugeEmpty',
  'status',
  'statusKey',
  'hint',
  'hintKey',
  'tabActive',
  'tab',
  'overlay',
  'prompt',
] as const;
export type ThemeRole = (typeof THEME_ROLES)[number];

export interface RoleStyle {
  readonly fg?: string;
  readonly bg?: string;
  readonly bold?: boolean;
  readonly underline?: boolean;
  readonly inverse?: boolean;
}

export interface Theme {
  readonly name: string;
  readonly colors: 256 | 16 | 0;
  style(role: ThemeRole): RoleStyle;
  /** `text` wrapped in blessed tags for `role` (text must already be tag-escaped). */
  tag(role: ThemeRole, text: string): string;
}

interface ThemeFile {
  name?: string;
  description?: string;
  colors256?: Partial<Record<ThemeRole, string>>;
  colors16?: Partial<Record<ThemeRole, string>>;
}

/** The `themes/` folder shipped next to `src/` and `dist/`. */
export const THEMES_DIR = fileURLToPath(new URL('../../themes/', import.meta.url));

export function listThemes(dir = THEMES_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => basename(f, '.json'))
    .sort();
}

export interface LoadThemeOptions {
  /** 256, 16 or 0 (0 always gives the mono theme). Default 256. */
  readonly colors?: 256 | 16 | 0;
  readonly dir?: string;
}

/** Loads a theme by name; throws with the list of known names when it does not exist. */
export function loadTheme(name: string, opts: LoadThemeOptions = {}): Theme {
  const colors = opts.colors ?? 256;
  const dir = opts.dir ?? THEMES_DIR;
  const wanted = colors === 0 ? 'mono' : name;
  if (!/^[\w-]+$/.test(wanted) || !existsSync(join(dir, `${wanted}.json`))) {
    throw new Error(`unknown theme "${wanted}"; available: ${listThemes(dir).join(', ') || '(none)'}`);
  }
  const file = JSON.parse(readFileSync(join(dir, `${wanted}.json`), 'utf8')) as ThemeFile;
  const specs = (colors === 256 ? (file.colors256 ?? file.colors16) : (file.colors16 ?? file.colors256)) ?? {};
  return buildTheme(file.name ?? wanted, colors, specs);
}

export function buildTheme(name: string, colors: 256 | 16 | 0, specs: Partial<Record<ThemeRole, string>>): Theme {
  const styles = new Map<ThemeRole, RoleStyle>();
  const tags = new Map<ThemeRole, string>();
  for (const role of THEME_ROLES) {
    const s = parseStyle(specs[role] ?? '', colors === 0);
    styles.set(role, s);
    tags.set(role, openTags(s));
  }
  return {
    name,
    colors,
    style: (role) => styles.get(role)!,
    tag: (role, text) => {
      const open = tags.get(role)!;
      return open ? `${open}${text}{/}` : text;
    },
  };
}

/** "#ffaf00 bold", "black on cyan", "inverse", "default". Colours are dropped when `mono`. */
export function parseStyle(spec: string, mono = false): RoleStyle {
  const out: { -readonly [K in keyof RoleStyle]: RoleStyle[K] } = {};
  const words = spec.trim().split(/\s+/).filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === 'bold' || w === 'underline' || w === 'inverse') out[w] = true;
    else if (w === 'on') {
      const bg = words[++i];
      if (bg && !mono) out.bg = bg;
    } else if (!mono) out.fg = w;
  }
  return out;
}

function openTags(s: RoleStyle): string {
  let t = '';
  if (s.fg && s.fg !== 'default') t += `{${s.fg}-fg}`;
  if (s.bg && s.bg !== 'default') t += `{${s.bg}-bg}`;
  if (s.bold) t += '{bold}';
  if (s.underline) t += '{underline}';
  if (s.inverse) t += '{inverse}';
  return t;
}

/** A blessed `style` object (fg/bg/bold/...) for a role, for widget options. */
export function blessedStyle(theme: Theme, role: ThemeRole): Record<string, unknown> {
  const s = theme.style(role);
  const o: Record<string, unknown> = {};
  if (s.fg) o.fg = s.fg;
  if (s.bg) o.bg = s.bg;
  if (s.bold) o.bold = true;
  if (s.underline) o.underline = true;
  if (s.inverse) o.inverse = true;
  return o;
}
