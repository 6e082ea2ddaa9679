/**
 * The console's remembered settings (conf, project "p2pterm"): theme, last bootstrap peer,
 * tracker, folders, refresh rate, stabilization interval. Flags override them and, when given,
 * are remembered. `P2PTERM_CONFIG_DIR` moves the store (tests use a temp dir).
 *
 * Reading does not load conf: its file is plain JSON, read once at start. conf (with its
 * schema validator, ~80 ms to load) writes changes, loaded on the first write after start-up;
 * the console's first frame does not wait for it.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import envPaths from 'env-paths';
import { DEFAULT_STABILIZE_MS } from '../core/constants.js';
import { listThemes } from './theme.js';
import { parseRate } from './rate-text.js';

export interface ConsoleSettings {
  /** Theme name from themes/*.json. Default "dark". */
  theme: string;
  /** The last peer this node joined through (HOST:PORT), rejoined at start. */
  join?: string;
  /** Tracker address (HOST:PORT). */
  tracker?: string;
  /** Shared/download folder. */
  dir?: string;
  /** Node state folder. */
  data?: string;
  /** Most frames drawn per second (1..60). Default 10. */
  refreshHz: number;
  /** Stabilization interval in ms. Default 500. */
  stabilizeMs: number;
  /** Mouse clicks and wheel. Default true. */
  mouse: boolean;
  /** Download limit in bytes/s (absent or 0: none). */
  maxDown?: number;
  /** Upload limit in bytes/s (absent or 0: none). */
  maxUp?: number;
  /** Downloads running at once (absent: the file service's default). */
  maxTransfers?: number;
  /** The `:` command line's history, newest last. */
  history: string[];
}

export type SettingKey = keyof ConsoleSettings;

export const SETTING_DEFAULTS: ConsoleSettings = {
  theme: 'dark',
  refreshHz: 10,
  stabilizeMs: DEFAULT_STABILIZE_MS,
  mouse: true,
  history: [],
};

export interface SettingsStore {
  get<K extends SettingKey>(key: K): ConsoleSettings[K];
  set<K extends SettingKey>(key: K, value: ConsoleSettings[K] | undefined): void;
  /** Where the settings live (null for an in-memory store). */
  readonly path: string | null;
  /** Resolves once every change so far is on disk (a failed write rejects). */
  flush(): Promise<void>;
}

/** The file conf keeps the settings in: the same resolution conf applies to these options. */
export function settingsPath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return resolve(env.P2PTERM_CONFIG_DIR || envPaths('p2pterm', { suffix: '' }).config, 'config.json');
}

/** Where versions before the folder was named `p2pterm` kept the settings (`p2pterm-nodejs`). */
export function oldSettingsPath(): string {
  return resolve(envPaths('p2pterm', { suffix: 'nodejs' }).config, 'config.json');
}

/**
 * Copies an old `p2pterm-nodejs` settings file to the new place once, when the new one is absent;
 * returns the old path when it did. Never with P2PTERM_CONFIG_DIR (an explicit place).
 */
export function adoptOldSettings(env: Readonly<Record<string, string | undefined>>, path: string): string | null {
  const old = oldSettingsPath();
  if (env.P2PTERM_CONFIG_DIR || existsSync(path) || !existsSync(old)) return null;
  try {
    mkdirSync(dirname(path), { recursive: true });
    copyFileSync(old, path);
    return old;
  } catch {
    // Not copied (read-only home, a race with another start): the defaults apply, as on a first start.
    return null;
  }
}

/** The real store, under the user's config dir or `P2PTERM_CONFIG_DIR`. */
export function openSettings(env: Readonly<Record<string, string | undefined>> = process.env): SettingsStore {
  const path = settingsPath(env);
  adoptOldSettings(env, path);
  const data: Partial<ConsoleSettings> = { ...SETTING_DEFAULTS, ...readStored(path) };
  const open = lazyConf(env);
  let writes: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  return {
    path,
    get: (key) => sanitize(key, data[key]),
    set: (key, value) => {
      if (value === undefined) delete data[key];
      else data[key] = value;
      // Writes stay in order; one that fails does not stop the next.
      const write = writes.then(open).then((c) => (value === undefined ? c.delete(key) : c.set(key, value)));
      writes = write.catch((e: unknown) => void (failure ??= e));
    },
    flush: () =>
      writes.then(() => {
        const e = failure;
        failure = null;
        if (e) throw e;
      }),
  };
}

interface ConfWriter {
  set(k: string, v: unknown): void;
  delete(k: string): void;
}

/** conf, loaded on the first call (its schema validator takes ~80 ms to load). */
function lazyConf(env: Readonly<Record<string, string | undefined>>): () => Promise<ConfWriter> {
  let conf: Promise<ConfWriter> | null = null;
  return () =>
    (conf ??= import('conf').then(
      ({ default: Conf }) =>
        new Conf<ConsoleSettings>({
          projectName: 'p2pterm',
          projectSuffix: '',
          cwd: env.P2PTERM_CONFIG_DIR || undefined,
          defaults: SETTING_DEFAULTS,
        }),
    ));
}

/** What conf stored, or nothing when the file is missing or not a JSON object. */
function readStored(path: string): Partial<ConsoleSettings> {
  try {
    const v: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Partial<ConsoleSettings>) : {};
  } catch {
    // Missing or not JSON (a first start, a hand-broken file): the defaults apply.
    return {};
  }
}

export function memorySettings(init: Partial<ConsoleSettings> = {}): SettingsStore {
  const data: Partial<ConsoleSettings> = { ...SETTING_DEFAULTS, ...init };
  return {
    path: null,
    flush: () => Promise.resolve(),
    get: (key) => sanitize(key, data[key]),
    set: (key, value) => {
      if (value === undefined) delete data[key];
      else data[key] = value;
    },
  };
}

/** A hand-edited or stale store must not crash the console: bad values read as defaults. */
function sanitize<K extends SettingKey>(key: K, value: unknown): ConsoleSettings[K] {
  const def = SETTING_DEFAULTS[key];
  if (value === undefined || value === null) return def;
  if (def !== undefined && typeof value !== typeof def) return def;
  if (Array.isArray(def) && !Array.isArray(value)) return def;
  return value as ConsoleSettings[K];
}

/** How the settings view shows and parses each editable setting. */
export interface SettingField {
  readonly key: Exclude<SettingKey, 'history'>;
  readonly label: string;
  /** Parses typed text; throws with a message on bad input. '' clears optional fields. */
  parse(text: string): ConsoleSettings[SettingKey] | undefined;
}

const hostPortRe = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.\-_]+):\d{1,5}$/;

function intParser(min: number, max: number) {
  return (t: string) => {
    const n = Number(t);
    if (!/^\d+$/.test(t.trim()) || n < min || n > max) throw new Error(`expected an integer in ${min}..${max}`);
    return n;
  };
}

function optional<T>(check: (t: string) => T) {
  return (t: string) => (t.trim() === '' ? undefined : check(t.trim()));
}

export const SETTING_FIELDS: readonly SettingField[] = [
  {
    key: 'theme',
    label: 'Theme',
    parse: (t) => (/^[\w-]+$/.test(t.trim()) ? t.trim() : fail('expected a theme name')),
  },
  {
    key: 'join',
    label: 'Bootstrap peer',
    parse: optional((t) => (hostPortRe.test(t) ? t : fail('expected HOST:PORT'))),
  },
  { key: 'tracker', label: 'Tracker', parse: optional((t) => (hostPortRe.test(t) ? t : fail('expected HOST:PORT'))) },
  { key: 'dir', label: 'Shared folder', parse: optional((t) => t) },
  { key: 'data', label: 'Data folder', parse: optional((t) => t) },
  { key: 'refreshHz', label: 'Refresh rate (fps)', parse: intParser(1, 60) },
  { key: 'stabilizeMs', label: 'Stabilization interval (ms)', parse: intParser(10, 3_600_000) },
  {
    key: 'mouse',
    label: 'Mouse',
    parse: (t) =>
      /^(on|true|yes|1)$/i.test(t.trim())
        ? true
        : /^(off|false|no|0)$/i.test(t.trim())
          ? false
          : fail('expected on or off'),
  },
  { key: 'maxDown', label: 'Download limit (bytes/s, 500K, 2M; 0: none)', parse: optional((t) => parseRate(t)) },
  { key: 'maxUp', label: 'Upload limit (bytes/s; 0: none)', parse: optional((t) => parseRate(t)) },
  { key: 'maxTransfers', label: 'Downloads at once', parse: optional((t) => intParser(1, 64)(t)) },
];

function fail(message: string): never {
  throw new Error(message);
}

/** Settings that flags can give, and whether each flag was given on this run. */
export interface FlagValues {
  readonly theme?: string;
  readonly join?: string;
  readonly tracker?: string;
  readonly dir?: string;
  readonly data?: string;
  readonly refreshHz?: number;
  readonly stabilizeMs?: number;
  readonly maxDown?: number;
  readonly maxUp?: number;
  readonly maxTransfers?: number;
}

/** Settings that are optional (no default) and listed in the merged result. */
const OPTIONAL_KEYS: readonly SettingKey[] = ['join', 'tracker', 'dir', 'data', 'maxDown', 'maxUp', 'maxTransfers'];

/**
 * Flags win and are remembered; what was not given comes from the store. `oneOff` values
 * (folders and limits given without --save) win for this run only and are not stored. An invalid value (a
 * theme that does not exist) is never remembered, and one already stored is dropped: each is
 * reported through `rejected` once, instead of warning again on every start.
 */
export function mergeFlags(
  store: SettingsStore,
  flags: FlagValues,
  rejected: (message: string) => void = () => undefined,
  oneOff: FlagValues = {},
): ConsoleSettings {
  const themes = listThemes();
  const known = (name: unknown) => themes.length === 0 || themes.includes(name as string);
  const stored = store.get('theme');
  if (!known(stored)) {
    store.set('theme', undefined);
    rejected(`forgetting the stored theme "${stored}": no such theme (available: ${themes.join(', ')})`);
  }
  for (const [k, v] of Object.entries(flags)) {
    if (v === undefined) continue;
    if (k === 'theme' && !known(v)) {
      rejected(`unknown theme "${v}", not remembered (available: ${themes.join(', ')})`);
      continue;
    }
    store.set(k as SettingKey, v as never);
  }
  const out = {} as ConsoleSettings;
  for (const key of (Object.keys(SETTING_DEFAULTS) as SettingKey[]).concat(OPTIONAL_KEYS)) {
    const once = (oneOff as Record<string, unknown>)[key];
    (out as unknown as Record<string, unknown>)[key] = once ?? store.get(key);
  }
  return out;
}
