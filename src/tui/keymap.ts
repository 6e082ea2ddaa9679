/**
 * Key names and bindings. Every key press becomes one name: the printed character for
 * printable keys ("j", "G", "?", ":", "+") and blessed's name otherwise ("tab", "S-tab",
 * "escape", "enter", "up", "pageup", "C-c"). Bindings list the names they answer to.
 */

export interface KeyBinding {
  /** Key names, e.g. ['j', 'down']. */
  readonly keys: readonly string[];
  /** What the help overlay shows for the key, e.g. 'j/↓'. Defaults to the names joined by '/'. */
  readonly label?: string;
  readonly help: string;
  /** A word or two for the hint bar; bindings without one are only in the help overlay. */
  readonly hint?: string;
  readonly run: () => void | Promise<void>;
}

export interface BlessedKey {
  readonly name?: string;
  readonly full?: string;
  readonly ctrl?: boolean;
  readonly meta?: boolean;
  readonly shift?: boolean;
  readonly sequence?: string;
}

/** One stable name per key press. */
export function keyName(ch: string | undefined, key: BlessedKey | undefined): string {
  // blessed reports "\r" twice, as 'enter' and then as 'return': keep one.
  if (key?.name === 'return') return '';
  if (key?.name === 'enter' || key?.name === 'linefeed') return 'enter';
  if (key?.name === 'space' || ch === ' ') return 'space';
  if (ch && ch.length === 1 && ch >= ' ' && ch !== '\x7f' && !key?.ctrl && !key?.meta) return ch;
  if (key?.full) return key.full;
  return key?.name ?? ch ?? '';
}

export function findBinding(bindings: readonly KeyBinding[], name: string): KeyBinding | undefined {
  return bindings.find((b) => b.keys.includes(name));
}

const pretty: Record<string, string> = {
  up: '↑',
  down: '↓',
  left: '←',
  right: '→',
  enter: 'Enter',
  escape: 'Esc',
  space: 'Space',
  tab: 'Tab',
  'S-tab': 'S-Tab',
  pageup: 'PgUp',
  pagedown: 'PgDn',
  home: 'Home',
  end: 'End',
};

export function bindingLabel(b: KeyBinding, unicode = true): string {
  if (b.label) return b.label;
  return b.keys.map((k) => (unicode ? (pretty[k] ?? k) : asciiKey(pretty[k] ?? k))).join('/');
}

function asciiKey(k: string): string {
  return ({ '↑': 'Up', '↓': 'Down', '←': 'Left', '→': 'Right' } as Record<string, string>)[k] ?? k;
}

/** Scroll keys shared by the list panes. */
export const SCROLL_KEYS = {
  down: ['j', 'down'],
  up: ['k', 'up'],
  pageDown: ['pagedown', 'C-d', 'C-f'],
  pageUp: ['pageup', 'C-u', 'C-b'],
  top: ['g', 'home'],
  bottom: ['G', 'end'],
} as const;
