/**
 * The blessed screen the console draws on, built on demand (never at import time): Unicode
 * or ASCII line drawing as the terminal allows, terminfo compiled lazily, cursor hidden.
 */
import * as blessed from './blessed-parts.js';
import type { Widgets } from 'blessed';
import { compileTerminfoLazily } from './lazy-terminfo.js';
import type { TerminalCaps } from './terminal-caps.js';

export interface ScreenStreams {
  /** Default process.stdin / process.stdout. */
  readonly input?: NodeJS.ReadableStream;
  readonly output?: NodeJS.WritableStream;
  /** Extra blessed screen options (tests). */
  readonly screenOptions?: Widgets.IScreenOptions;
}

export function createConsoleScreen(caps: TerminalCaps, streams: ScreenStreams): Widgets.Screen {
  compileTerminfoLazily();
  const unicode = caps.unicode;
  const screen = blessed.screen({
    input: streams.input as Widgets.IScreenOptions['input'],
    output: streams.output as Widgets.IScreenOptions['output'],
    terminal: caps.term,
    fullUnicode: unicode,
    forceUnicode: unicode,
    smartCSR: true,
    autoPadding: false,
    warnings: false,
    title: 'p2pterm',
    ...streams.screenOptions,
  } as Widgets.IScreenOptions);
  // The NCURSES_NO_UTF8_ACS equivalent: draw borders as Unicode (or plain ASCII), never
  // through the alternate character set, which shows as "lqqk" under tmux and some SSH clients.
  const tput = (screen.program as unknown as { tput: { brokenACS: boolean; unicode: boolean } }).tput;
  tput.brokenACS = true;
  tput.unicode = unicode;
  screen.program.hideCursor();
  return screen;
}

/** Redraws every cell from scratch (Ctrl-L): blessed forgets what it believes is on the terminal. */
export function reallocScreen(screen: Widgets.Screen): void {
  (screen as unknown as { realloc(): void }).realloc();
}
