/**
 * What the terminal can do, read once from the environment: the terminfo name blessed should
 * use, Unicode or ASCII drawing, and how many colours. Pure: tests pass their own env.
 */

export interface TerminalCaps {
  /** The terminfo entry handed to blessed (tmux/screen 256-colour entries mapped to xterm's). */
  readonly term: string;
  /** Box drawing, braille and symbols allowed; false means plain ASCII everywhere. */
  readonly unicode: boolean;
  /** 256, 16, or 0 (NO_COLOR or a dumb terminal: the mono theme). */
  readonly colors: 256 | 16 | 0;
  /** NO_COLOR was set (https://no-color.org). */
  readonly noColor: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

export function detectTerminal(env: Env = process.env): TerminalCaps {
  const raw = env.TERM || 'xterm';
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return { term: mapTerm(raw), unicode: detectUnicode(env), colors: noColor ? 0 : detectColors(raw, env), noColor };
}

/**
 * blessed misreads the tmux-256color / screen-256color terminfo entries (it falls back to 8
 * colours or prints a terminfo dump), so those are driven as xterm, which tmux emulates.
 */
export function mapTerm(term: string): string {
  if (/^(tmux|screen)(-|$)/.test(term)) return term.includes('256') ? 'xterm-256color' : 'xterm';
  if (term === 'rxvt-unicode-256color' || term === 'alacritty' || term === 'xterm-kitty') return 'xterm-256color';
  return term;
}

/** UTF-8 when the locale says so; `P2PTERM_ASCII=1` forces ASCII, `P2PTERM_ASCII=0` forces Unicode. */
export function detectUnicode(env: Env): boolean {
  if (env.P2PTERM_ASCII === '1') return false;
  if (env.P2PTERM_ASCII === '0') return true;
  if (env.TERM === 'dumb' || env.TERM === 'vt100') return false;
  // LC_ALL overrides LC_CTYPE, which overrides LANG (POSIX locale precedence).
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return /utf-?8/i.test(locale);
}

function detectColors(term: string, env: Env): 256 | 16 | 0 {
  if (term === 'dumb') return 0;
  if (/256|truecolor|direct/.test(term) || /truecolor|24bit/i.test(env.COLORTERM ?? '')) return 256;
  return 16;
}
