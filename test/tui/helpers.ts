/** Test helpers for the console: an in-memory terminal, a console on a simulated ring, keys, screen text. */
import { PassThrough } from 'node:stream';
import type { Widgets } from 'blessed';
import { SimRing } from '../../src/sim/sim-ring.js';
import type { ChordNode } from '../../src/dht/chord-node.js';
import { nodeCommands } from '../../src/cli/node-commands.js';
import type { CommandFn } from '../../src/commands/command-fn.js';
import { createConsole, type ConsoleApp } from '../../src/tui/app.js';
import { openLabConsole } from '../../src/tui/lab-console.js';
import type { RingLab } from '../../src/tui/ring-lab.js';
import { memorySettings, type SettingsStore } from '../../src/tui/settings.js';
import type { TerminalCaps } from '../../src/tui/terminal-caps.js';

export interface FakeTerminal {
  readonly input: PassThrough & { isTTY: boolean; setRawMode(on: boolean): void };
  readonly output: PassThrough & { columns: number; rows: number; isTTY: boolean };
  /** Everything the screen wrote, as text. */
  written(): string;
  resize(cols: number, rows: number): void;
}

export function fakeTerminal(cols: number, rows: number): FakeTerminal {
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
  const output = Object.assign(new PassThrough(), { columns: cols, rows, isTTY: true });
  const chunks: Buffer[] = [];
  output.on('data', (d: Buffer) => chunks.push(d));
  return {
    input,
    output,
    written: () => Buffer.concat(chunks).toString('utf8'),
    resize: (c, r) => {
      output.columns = c;
      output.rows = r;
      output.emit('resize');
    },
  };
}

export const UNICODE_256: TerminalCaps = { term: 'xterm-256color', unicode: true, colors: 256, noColor: false };

export interface TestConsole {
  readonly app: ConsoleApp;
  readonly term: FakeTerminal;
  readonly node: ChordNode;
  readonly settings: SettingsStore;
  /** Types keys: plain text is typed as is; names in the list are special keys. */
  keys(...keys: string[]): Promise<void>;
  /** The screen as drawn, one string per row (after a render). */
  text(): string[];
  close(): void;
}

const SEQUENCES: Record<string, string> = {
  enter: '\r',
  escape: '\x1b',
  tab: '\t',
  'S-tab': '\x1b[Z',
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  backspace: '\x7f',
  'C-c': '\x03',
  'C-u': '\x15',
  'C-l': '\x0c',
  pageup: '\x1b[5~',
  pagedown: '\x1b[6~',
};

export interface OpenOptions {
  readonly cols?: number;
  readonly rows?: number;
  readonly caps?: TerminalCaps;
  readonly theme?: string;
  readonly commands?: Record<string, CommandFn>;
  readonly settings?: SettingsStore;
}

export function openConsole(node: ChordNode, opts: OpenOptions = {}): TestConsole {
  const term = fakeTerminal(opts.cols ?? 160, opts.rows ?? 48);
  const settings = opts.settings ?? memorySettings({ mouse: false });
  const app = createConsole({
    node,
    commands: { ...nodeCommands(node), ...opts.commands },
    theme: opts.theme ?? 'dark',
    settings,
    caps: opts.caps ?? UNICODE_256,
    input: term.input,
    output: term.output,
    captureStdio: false,
  });
  const text = () => {
    app.renderNow();
    return screenLines(app.screen);
  };
  return {
    app,
    term,
    node,
    settings,
    text,
    keys: async (...keys) => {
      for (const k of keys) {
        // Escape alone is only recognised when it arrives by itself, as from a real terminal.
        term.input.write(SEQUENCES[k] ?? k);
        await tick();
      }
      await tick();
    },
    close: () => app.destroy(),
  };
}

export function screenLines(screen: Widgets.Screen): string[] {
  const lines = (screen as unknown as { lines: [number, string][][] }).lines;
  return lines.map((row) => row.map((cell) => cell[1]).join(''));
}

/** Attribute of the cell at (x, y): (flags << 18) | (fg << 9) | bg. */
export function attrAt(screen: Widgets.Screen, x: number, y: number): number {
  return (screen as unknown as { lines: [number, string][][] }).lines[y]![x]![0];
}

export function tick(ms = 0): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function waitFor(cond: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await tick(10);
  }
}

/** A converged simulated ring of `n` nodes with 16-bit ids. */
export async function simRing(n = 8): Promise<SimRing> {
  const ring = new SimRing({ bits: 16, seed: 3 });
  await ring.addSequential(n);
  await ring.converge(60_000, { fingers: true });
  return ring;
}

export function find(lines: readonly string[], needle: string | RegExp): number {
  return lines.findIndex((l) => (typeof needle === 'string' ? l.includes(needle) : needle.test(l)));
}

/** The lab console on a fake `cols` × 48 terminal (dark theme, no mouse): the app, the terminal, and its screen's lines. */
export function labConsoleOn(lab: RingLab, cols = 160) {
  const term = fakeTerminal(cols, 48);
  const app = openLabConsole(lab, {
    theme: 'dark',
    settings: memorySettings({ mouse: false }),
    caps: UNICODE_256,
    input: term.input,
    output: term.output,
    captureStdio: false,
  });
  const text = () => (app.renderNow(), screenLines(app.screen));
  return { app, term, text };
}
