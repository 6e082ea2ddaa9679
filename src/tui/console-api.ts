/** The console's public face: what it is opened with (node, commands, theme, settings, lab) and what it offers. */
import type { Widgets } from 'blessed';
import type { EventBus } from '../bus/event-bus.js';
import type { CommandFn } from '../commands/command-fn.js';
import type { ChordNode } from '../dht/chord-node.js';
import type { ConsoleNode } from './console-node.js';
import type { KeyBinding } from './keymap.js';
import type { ConsoleLayout, PaneId } from './layout.js';
import type { LogLine, LogPane } from './panes/log-pane.js';
import type { Pane, PaneContext } from './panes/pane.js';
import type { RingMapPane } from './panes/ring-map-pane.js';
import type { StatusBar } from './panes/status-bar.js';
import type { TransfersPane } from './panes/transfers-pane.js';
import type { SettingsStore } from './settings.js';
import type { TerminalCaps } from './terminal-caps.js';
import type { Theme } from './theme.js';

/** Services the console can show besides the node (file store, tracker client); later issues fill these in. */
export interface ConsoleServices {
  readonly files?: unknown;
  readonly tracker?: unknown;
}

/**
 * The ring lab (`p2pterm sim`): the console shows one node of a whole simulated ring at a
 * time, the lab's own panes replace files, transfers and tracker, and the lab's keys work
 * everywhere. Built by tui/lab-console.ts.
 */
export interface ConsoleLab {
  /** The lab's bus (log lines, lab:* events): every pane listens to it besides the node's. */
  readonly bus: EventBus;
  /** The node to show now; read again whenever the lab announces lab:selected or lab:ring. */
  node(): ChordNode;
  /** The lab's ring map (drawing the whole ring) and its own pane. */
  panes(ctx: PaneContext): { ring: RingMapPane; lab: Pane };
  /** Keys that work in every pane (they must not shadow the panes' own keys). */
  readonly keys: readonly KeyBinding[];
}

export interface ConsoleOptions {
  /** The node shown (with `lab`, the first one); a stand-in for a daemon's node with `p2pterm attach`. */
  readonly node: ConsoleNode;
  /** The headless command map (`nodeCommands(node)` plus whatever services add). */
  readonly commands: Readonly<Record<string, CommandFn>>;
  /** A theme name from themes/*.json, or a loaded theme. */
  readonly theme: string | Theme;
  readonly settings: SettingsStore;
  /** Default: read from the environment. */
  readonly caps?: TerminalCaps;
  /** Extra blessed screen options (tests). */
  readonly screenOptions?: Widgets.IScreenOptions;
  /** Default process.stdin / process.stdout. */
  readonly input?: NodeJS.ReadableStream;
  readonly output?: NodeJS.WritableStream;
  /** Log lines emitted before the console existed. */
  readonly initialLog?: readonly LogLine[];
  /** Route console.*, stderr and warnings to the log pane while up. Default: when output is process.stdout. */
  readonly captureStdio?: boolean;
  /** Most frames per second (default: the refreshHz setting). */
  readonly refreshHz?: number;
  readonly services?: ConsoleServices;
  readonly lab?: ConsoleLab;
  /** Keys that work in every pane besides the built-in ones (an attached console's `d`: detach). */
  readonly keys?: readonly KeyBinding[];
}

export type QuitReason = 'quit' | 'interrupt' | 'signal' | 'error';

export interface ConsoleApp {
  readonly screen: Widgets.Screen;
  /**
   * The panes on screen by id. Only the console's own set is present: a node console has no
   * `lab` pane, the lab (`p2pterm sim`) has no files, transfers or tracker panes.
   */
  readonly panes: Readonly<Record<PaneId, Pane>>;
  /** The node the panes show (changes in the lab). */
  readonly node: ConsoleNode;
  readonly ringMap: RingMapPane;
  readonly log: LogPane;
  readonly transfers: TransfersPane;
  readonly status: StatusBar;
  readonly layout: ConsoleLayout;
  readonly focused: PaneId;
  readonly theme: Theme;
  readonly frames: number;
  /** The focused pane fills the screen (`z`). */
  readonly zoomed: boolean;
  /** Resolves once the console closed (after the terminal was restored). */
  readonly closed: Promise<QuitReason>;
  focus(id: PaneId): void;
  /** A short message on the hint line. */
  say(text: string, level?: 'info' | 'error'): void;
  /** Shows another node: every pane starts over on its bus (a replay going back in time). */
  showNode(node: ConsoleNode): void;
  runCommand(line: string, opts?: { quiet?: boolean }): Promise<void>;
  setTheme(name: string): void;
  /** Draws now instead of on the next frame (tests, first frame). */
  renderNow(): void;
  /** Closes the console (asks first when transfers are running and `confirm`). */
  quit(reason?: QuitReason, confirm?: boolean): void;
  /** Restores the terminal; idempotent. */
  destroy(): void;
}
