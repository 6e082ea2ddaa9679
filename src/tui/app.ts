/**
 * The full-screen console: builds the blessed screen (never at import time), places the panes
 * (layout.ts), routes keys (global keys, then the focused pane's), draws on one frame timer
 * when something is dirty, and restores the terminal on destroy().
 */
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import type { EventBus } from '../bus/event-bus.js';
import type { CommandFn } from '../commands/command-fn.js';
import type { ChordNode } from '../dht/chord-node.js';
import { CommandRunner, type Builtin } from './command-runner.js';
import { escapeTags } from './format.js';
import { FrameScheduler } from './frame-scheduler.js';
import { glyphsFor, type Glyphs } from './glyphs.js';
import { helpLines, hintLine } from './help-text.js';
import { findBinding, keyName, type BlessedKey, type KeyBinding } from './keymap.js';
import {
  computeLayout,
  GRID_MIN,
  LAB_PANE_IDS,
  PANE_IDS,
  TABS_MIN,
  type LabPaneId,
  type Layout,
  type NodePaneId,
  type PaneId,
  type Rect,
} from './layout.js';
import { OverlayBox, type Modal } from './overlay.js';
import { FilesPane } from './panes/files-pane.js';
import { FingerTablePane } from './panes/finger-table-pane.js';
import { LogPane, type LogLine } from './panes/log-pane.js';
import type { Pane, PaneContext } from './panes/pane.js';
import { RingMapPane } from './panes/ring-map-pane.js';
import { StabilizationPane } from './panes/stabilization-pane.js';
import { StatusBar } from './panes/status-bar.js';
import { TrackerPane } from './panes/tracker-pane.js';
import { TransfersPane } from './panes/transfers-pane.js';
import { PromptLine } from './prompt-line.js';
import { SETTING_FIELDS, type SettingField, type SettingsStore } from './settings.js';
import { openSettingsView } from './settings-view.js';
import { guardStdio } from './stdio-guard.js';
import { compileTerminfoLazily } from './lazy-terminfo.js';
import { tabBarLine } from './tab-bar.js';
import { detectTerminal, type TerminalCaps } from './terminal-caps.js';
import { blessedStyle, listThemes, loadTheme, type Theme } from './theme.js';

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
  /** The node shown (with `lab`, the first one). */
  readonly node: ChordNode;
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
  readonly node: ChordNode;
  readonly ringMap: RingMapPane;
  readonly log: LogPane;
  readonly transfers: TransfersPane;
  readonly status: StatusBar;
  readonly layout: Layout<NodePaneId> | Layout<LabPaneId>;
  readonly focused: PaneId;
  readonly theme: Theme;
  readonly frames: number;
  /** Resolves once the console closed (after the terminal was restored). */
  readonly closed: Promise<QuitReason>;
  focus(id: PaneId): void;
  runCommand(line: string, opts?: { quiet?: boolean }): Promise<void>;
  setTheme(name: string): void;
  /** Draws now instead of on the next frame (tests, first frame). */
  renderNow(): void;
  /** Closes the console (asks first when transfers are running and `confirm`). */
  quit(reason?: QuitReason, confirm?: boolean): void;
  /** Restores the terminal; idempotent. */
  destroy(): void;
}

export function createConsole(opts: ConsoleOptions): ConsoleApp {
  return new Console(opts);
}

/**
 * A pane's wake-up (an age ticking, a flash ending) is soft: a frame drawn for another reason
 * up to WAKE_EARLY_MS before it redraws the pane too, and the wake's own timer fires only
 * WAKE_LATE_MS after it. Idle on a live ring, the once-a-second ages then ride on the frames
 * that stabilization rounds cause anyway instead of adding frames of their own.
 */
const WAKE_EARLY_MS = 100;
const WAKE_LATE_MS = 250;

class Console implements ConsoleApp {
  readonly screen: Widgets.Screen;
  /** Only the ids in `order` are present (see ConsoleApp.panes). */
  readonly panes: Record<PaneId, Pane>;
  readonly ringMap: RingMapPane;
  readonly log: LogPane;
  readonly transfers: TransfersPane;
  readonly status: StatusBar;
  readonly closed: Promise<QuitReason>;
  layout: Layout<NodePaneId> | Layout<LabPaneId>;
  focused: PaneId = 'ring';
  node: ChordNode;
  private readonly order: readonly PaneId[];
  theme: Theme;
  private readonly caps: TerminalCaps;
  private readonly glyphs: Glyphs;
  private readonly scheduler: FrameScheduler;
  private readonly runner: CommandRunner;
  private readonly tabBar: Widgets.BoxElement;
  private readonly tooSmall: Widgets.BoxElement;
  private readonly globalKeys: KeyBinding[];
  private readonly modals: Modal[] = [];
  private prompt: PromptLine | null = null;
  private message: { text: string; level: 'info' | 'error'; until: number } | null = null;
  private readonly wakeAt = new Map<PaneId, number>();
  private screenDirty = true;
  /** Panes whose text was redrawn in the frame being drawn; the others keep their cells. */
  private readonly drawnThisFrame = new Set<Pane>();
  /** True during our own screen.render(); renders blessed starts itself (resize, labels) stay full. */
  private inFrame = false;
  private destroyed = false;
  private resolveClosed!: (r: QuitReason) => void;
  private releaseStdio: (() => void) | null = null;
  private readonly detachers: (() => void)[] = [];

  constructor(private readonly opts: ConsoleOptions) {
    this.closed = new Promise((r) => (this.resolveClosed = r));
    this.node = opts.lab?.node() ?? opts.node;
    this.order = opts.lab ? LAB_PANE_IDS : PANE_IDS;
    this.caps = opts.caps ?? detectTerminal();
    this.glyphs = glyphsFor(this.caps.unicode);
    this.theme = typeof opts.theme === 'string' ? loadTheme(opts.theme, { colors: this.caps.colors }) : opts.theme;
    this.screen = this.createScreen();
    const ctx = this.paneContext();
    const lab = opts.lab?.panes(ctx);
    this.ringMap = lab?.ring ?? new RingMapPane(ctx);
    this.log = new LogPane(ctx, opts.initialLog);
    this.transfers = new TransfersPane(ctx);
    const common = {
      ring: this.ringMap,
      fingers: new FingerTablePane(ctx),
      stabilize: new StabilizationPane(ctx),
      log: this.log,
    };
    const set = lab
      ? { ...common, lab: lab.lab }
      : { ...common, files: new FilesPane(ctx), transfers: this.transfers, tracker: new TrackerPane(ctx) };
    this.panes = set as Partial<Record<PaneId, Pane>> as Record<PaneId, Pane>;
    this.status = new StatusBar(ctx, { override: () => this.bottomOverride(), hints: () => this.hints() });
    this.tabBar = blessed.box({ parent: this.screen, tags: true, wrap: false, height: 1, hidden: true });
    this.tooSmall = blessed.box({
      parent: this.screen,
      tags: true,
      top: 'center',
      left: 'center',
      width: '100%',
      height: 6,
      align: 'center',
      hidden: true,
    });
    for (const p of Object.values(this.panes)) {
      this.screen.append(p.box);
      keepCellsWhenUnchanged(p.box, () => !this.inFrame || this.screenDirty || this.drawnThisFrame.has(p));
    }
    this.screen.append(this.status.box);
    this.runner = this.createRunner();
    this.globalKeys = this.createGlobalKeys();
    this.scheduler = new FrameScheduler(() => this.frame(), { fps: opts.refreshHz ?? opts.settings.get('refreshHz') });
    this.layout = computeLayout(Number(this.screen.width), Number(this.screen.height), opts.lab ? 'lab' : 'node');
    this.wire();
    this.focus('ring');
    this.relayout();
    this.scheduler.flush();
  }

  private pane(id: PaneId): Pane {
    return this.panes[id]!;
  }

  /** Where the console's own log lines go: the lab's bus, else the node's. */
  private get consoleBus(): EventBus {
    return this.opts.lab?.bus ?? this.opts.node.bus;
  }

  get frames(): number {
    return this.scheduler.frames;
  }

  // ---- setup ----------------------------------------------------------------------

  private createScreen(): Widgets.Screen {
    compileTerminfoLazily();
    const unicode = this.caps.unicode;
    const screen = blessed.screen({
      input: this.opts.input as Widgets.IScreenOptions['input'],
      output: this.opts.output as Widgets.IScreenOptions['output'],
      terminal: this.caps.term,
      fullUnicode: unicode,
      forceUnicode: unicode,
      smartCSR: true,
      autoPadding: false,
      warnings: false,
      title: 'p2pterm',
      ...this.opts.screenOptions,
    } as Widgets.IScreenOptions);
    // The NCURSES_NO_UTF8_ACS equivalent: draw borders as Unicode (or plain ASCII), never
    // through the alternate character set, which shows as "lqqk" under tmux and some SSH clients.
    const tput = (screen.program as unknown as { tput: { brokenACS: boolean; unicode: boolean } }).tput;
    tput.brokenACS = true;
    tput.unicode = unicode;
    screen.program.hideCursor();
    return screen;
  }

  private paneContext(): PaneContext {
    const self = this;
    return {
      get node() {
        return self.node;
      },
      caps: this.caps,
      glyphs: this.glyphs,
      theme: () => this.theme,
      requestFrame: () => this.scheduler?.requestFrame(),
      runCommand: (line) => this.runCommand(line),
      hasCommand: (name) => this.runner.has(name),
      say: (text, level) => this.say(text, level),
      ask: (prefix, initial, done) => this.ask(prefix, initial, done),
      setting: (key) => this.opts.settings.get(key),
    };
  }

  private wire(): void {
    const bus = this.consoleBus;
    this.attachPanes();
    this.detachers.push(() => this.detachPanes());
    const lab = this.opts.lab;
    if (lab)
      for (const name of ['lab:selected', 'lab:ring'] as const)
        this.detachers.push(lab.bus.on(name, () => this.syncNode()));
    this.screen.on('keypress', (ch: string | undefined, key: BlessedKey | undefined) => this.onKey(keyName(ch, key)));
    this.screen.on('resize', () => {
      this.relayout();
      this.scheduler.flush();
    });
    if (this.opts.settings.get('mouse')) this.enableMouse();
    const capture = this.opts.captureStdio ?? (this.opts.output ?? process.stdout) === process.stdout;
    if (capture)
      this.releaseStdio = guardStdio((level, topic, message) =>
        bus.emit('log:line', { at: Date.now(), level, topic, message }),
      );
  }

  /** Panes listen to the shown node's bus, and in the lab to the lab's bus as well. */
  private attachPanes(): void {
    const buses = this.opts.lab ? [this.opts.lab.bus, this.node.bus] : [this.node.bus];
    for (const bus of buses) {
      for (const p of Object.values(this.panes)) p.attach(bus);
      this.status.attach(bus);
    }
  }

  private detachPanes(): void {
    for (const p of Object.values(this.panes)) p.detach();
    this.status.detach();
  }

  /** The lab selected another node (or the shown one went away): show the new one everywhere. */
  private syncNode(): void {
    const next = this.opts.lab?.node();
    if (!next || next === this.node || this.destroyed) return;
    this.detachPanes();
    this.node = next;
    this.attachPanes();
    for (const p of Object.values(this.panes)) p.nodeChanged();
    this.status.markDirty();
    this.scheduler.requestFrame();
  }

  private enableMouse(): void {
    for (const id of this.order) {
      const box = this.pane(id).box;
      box.on('click', () => this.focus(id));
    }
    this.log.box.on('wheelup', () => this.log.scrollBy(3));
    this.log.box.on('wheeldown', () => this.log.scrollBy(-3));
  }

  private createRunner(): CommandRunner {
    const builtins: Record<string, Builtin> = {
      quit: { usage: 'quit', help: 'quit the console (asks if transfers run)', run: () => this.quit('quit', true) },
      help: { usage: 'help', help: 'keys and commands', run: () => this.openHelp() },
      settings: { usage: 'settings', help: 'see and edit the remembered settings', run: () => this.openSettings() },
      theme: {
        usage: 'theme [NAME]',
        help: 'switch theme (and remember it)',
        run: ([name]) => this.themeCommand(name),
      },
      set: {
        usage: 'set KEY VALUE',
        help: 'change a setting: theme, join, tracker, dir, data, refreshHz, stabilizeMs, mouse',
        run: (a) => this.setCommand(a),
      },
      clear: { usage: 'clear', help: 'clear the log pane', run: () => this.log.clear() },
    };
    if (process.env.P2PTERM_DEBUG === '1') {
      // Lets the end-to-end tests prove an uncaught exception restores the terminal.
      builtins.crash = {
        usage: 'crash',
        help: 'throw an uncaught exception (debug)',
        run: () =>
          void setTimeout(() => {
            throw new Error('p2pterm debug crash');
          }, 0),
      };
    }
    return new CommandRunner({
      commands: this.opts.commands,
      builtins,
      log: (level, message) => this.consoleBus.emit('log:line', { at: Date.now(), level, topic: 'console', message }),
      say: (text, level) => this.say(text, level),
      showReply: (title, lines) =>
        this.pushModal(
          new OverlayBox(this.screen, () => this.theme, {
            title,
            lines: lines.map(escapeTags),
            footer: 'Esc/Enter/q close',
            onClose: () => this.modalClosed(),
          }),
        ),
      onSuccess: (cmd, args) => {
        if (cmd === 'join' && args[0]) this.opts.settings.set('join', args[0]);
      },
    });
  }

  private createGlobalKeys(): KeyBinding[] {
    const numbered = this.order.map((id, i) => ({ keys: [String(i + 1)], help: '', run: () => this.focus(id) }));
    return [
      ...numbered,
      { keys: ['tab'], help: 'focus the next pane', hint: 'focus', run: () => this.cycleFocus(1) },
      { keys: ['S-tab'], help: 'focus the previous pane', run: () => this.cycleFocus(-1) },
      // Listed in the help only: the numbered bindings above do the work.
      {
        keys: [],
        label: `1-${this.order.length}`,
        help: `focus pane N (${this.order.map((id) => (id === 'stabilize' ? 'stabilization' : id)).join(', ')})`,
        run: () => {},
      },
      ...(this.opts.lab?.keys ?? []),
      {
        keys: [':'],
        help: 'command line (Tab completes, Up/Down history)',
        hint: 'command',
        run: () => this.openCommandLine(),
      },
      { keys: ['?'], help: 'this help (keys of the focused pane)', hint: 'help', run: () => this.openHelp() },
      { keys: [','], help: 'settings', hint: 'settings', run: () => this.openSettings() },
      {
        keys: ['escape'],
        help: 'back out (close, clear a filter, resume following)',
        run: () => void this.pane(this.focused).back(),
      },
      { keys: ['C-l'], help: 'redraw the whole screen', run: () => this.redrawAll() },
      {
        keys: ['q'],
        help: 'quit (asks first if transfers are running)',
        hint: 'quit',
        run: () => this.quit('quit', true),
      },
      { keys: ['C-c'], help: 'quit now', run: () => this.quit('interrupt') },
    ];
  }

  // ---- keys -----------------------------------------------------------------------

  private onKey(name: string): void {
    if (this.destroyed || !name) return;
    if (name === 'C-c') return this.quit('interrupt');
    if (this.layout.mode === 'too-small') {
      if (name === 'q') this.quit('quit', true);
      return;
    }
    if (this.prompt) return (this.prompt.handleKey(name), this.status.markDirty());
    const modal = this.modals[this.modals.length - 1];
    if (modal) {
      modal.handleKey(name);
      this.screenDirty = true;
      this.scheduler.requestFrame();
      return;
    }
    const pane = this.pane(this.focused);
    const binding = findBinding(this.globalKeys, name) ?? findBinding(pane.keys, name);
    if (binding) this.runBinding(binding);
    this.status.markDirty();
  }

  private runBinding(b: KeyBinding): void {
    const r = b.run();
    if (r instanceof Promise) r.catch((e: Error) => this.say(e.message, 'error'));
  }

  // ---- focus and layout -------------------------------------------------------------

  focus(id: PaneId): void {
    const old = this.pane(this.focused);
    old.focused = false;
    old.markDirty();
    this.focused = this.panes[id] ? id : this.focused;
    const p = this.pane(this.focused);
    p.focused = true;
    p.markDirty();
    if (this.layout.mode === 'tabs') this.relayout();
    this.status.markDirty();
  }

  private cycleFocus(delta: number): void {
    const i = this.order.indexOf(this.focused);
    this.focus(this.order[(i + delta + this.order.length) % this.order.length]!);
  }

  private relayout(): void {
    this.layout = computeLayout(Number(this.screen.width), Number(this.screen.height), this.opts.lab ? 'lab' : 'node');
    const l = this.layout;
    for (const id of this.order) {
      const box = this.pane(id).box;
      const rect =
        l.mode === 'grid'
          ? (l.panes as Partial<Record<PaneId, Rect>>)[id]
          : l.mode === 'tabs' && id === this.focused
            ? l.body
            : null;
      if (rect)
        Object.assign(box, { left: rect.left, top: rect.top, width: rect.width, height: rect.height }), box.show();
      else box.hide();
      this.pane(id).dirty = true;
    }
    const show = (el: Widgets.BoxElement, on: boolean) => (on ? el.show() : el.hide());
    show(this.tabBar, l.mode === 'tabs');
    show(this.tooSmall, l.mode === 'too-small');
    show(this.status.box, l.mode !== 'too-small');
    if (l.mode !== 'too-small')
      Object.assign(this.status.box, {
        left: l.status.left,
        top: l.status.top,
        width: l.status.width,
        height: l.status.height,
      });
    if (l.mode === 'tabs') Object.assign(this.tabBar, { left: 0, top: 0, width: l.tabBar.width });
    for (const m of this.modals) m.render();
    this.status.dirty = true;
    this.screenDirty = true;
  }

  // ---- drawing --------------------------------------------------------------------

  private frame(): void {
    if (this.destroyed) return;
    const now = Date.now();
    if (this.message && this.message.until <= now) (this.message = null), (this.status.dirty = true);
    this.drawnThisFrame.clear();
    if (this.layout.mode === 'too-small') this.drawTooSmall();
    else this.drawPanes(now);
    this.inFrame = true;
    try {
      this.screen.render();
    } finally {
      this.inFrame = false;
    }
    this.screenDirty = false;
    this.drawnThisFrame.clear();
    this.scheduleWake(now);
  }

  private drawPanes(now: number): void {
    for (const [i, id] of this.order.entries()) {
      const p = this.pane(id);
      if (!p.box.visible) continue;
      if (p.dirty || (this.wakeAt.get(id) ?? Infinity) <= now + WAKE_EARLY_MS) {
        p.render(i + 1);
        this.drawnThisFrame.add(p);
        const w = p.wakeIn();
        if (w === null) this.wakeAt.delete(id);
        else this.wakeAt.set(id, now + w);
      }
    }
    if (this.layout.mode === 'tabs')
      this.tabBar.setContent(tabBarLine(this.theme, this.focused, Number(this.screen.width), this.order));
    if (this.status.dirty) this.status.render();
  }

  private drawTooSmall(): void {
    const t = this.theme;
    const x = this.caps.unicode ? '×' : 'x';
    this.tooSmall.style = blessedStyle(t, 'text');
    this.tooSmall.setContent(
      [
        t.tag('error', 'Terminal too small'),
        `${this.screen.width}${x}${this.screen.height}: p2pterm needs at least ${TABS_MIN.cols}${x}${TABS_MIN.rows}`,
        t.tag('dim', `(${GRID_MIN.cols}${x}${GRID_MIN.rows} or more shows every pane at once)`),
        t.tag('dim', 'resize the terminal, or press q to quit'),
      ].join('\n'),
    );
  }

  private scheduleWake(now: number): void {
    let next = this.message ? this.message.until : Infinity;
    for (const [id, at] of this.wakeAt) if (this.pane(id).box.visible) next = Math.min(next, at + WAKE_LATE_MS);
    if (next !== Infinity) this.scheduler.wakeAt(next);
    void now;
  }

  renderNow(): void {
    this.scheduler.flush();
  }

  private redrawAll(): void {
    (this.screen as unknown as { realloc(): void }).realloc();
    this.relayout();
    this.scheduler.flush();
  }

  // ---- bottom line: prompt, messages, hints ---------------------------------------------

  private bottomOverride(): string | null {
    const width = Number(this.screen.width);
    if (this.prompt) return this.prompt.render(this.theme, width);
    if (this.message)
      return this.theme.tag(this.message.level === 'error' ? 'error' : 'accent', escapeTags(this.message.text));
    return null;
  }

  private hints(): string {
    if (this.modals.length)
      return hintLine(this.theme, [{ keys: ['escape'], help: '', hint: 'close', run: () => {} }], this.caps.unicode);
    const g = (k: string) => this.globalKeys.find((b) => b.keys.includes(k))!;
    return hintLine(
      this.theme,
      [g('?'), g('tab'), g(':'), g('q'), ...this.pane(this.focused).keys.filter((b) => b.hint), g(',')],
      this.caps.unicode,
    );
  }

  say(text: string, level: 'info' | 'error' = 'info'): void {
    this.message = { text, level, until: Date.now() + (level === 'error' ? 6000 : 3000) };
    this.status.markDirty();
  }

  private ask(prefix: string, initial: string, done: (v: string | null) => void, history?: string[]): void {
    this.prompt = new PromptLine(prefix, initial, {
      history,
      complete: history ? (w) => this.runner.names().filter((n) => n.startsWith(w)) : undefined,
      onDone: (v) => {
        this.prompt = null;
        this.status.markDirty();
        done(v);
      },
    });
    this.message = null;
    this.status.markDirty();
  }

  private openCommandLine(): void {
    this.ask(
      ':',
      '',
      (line) => {
        if (line === null || !line.trim()) return;
        this.remember(line.trim());
        void this.runCommand(line);
      },
      this.opts.settings.get('history'),
    );
  }

  private remember(line: string): void {
    const h = this.opts.settings.get('history').filter((x) => x !== line);
    h.push(line);
    this.opts.settings.set('history', h.slice(-100));
  }

  runCommand(line: string, opts?: { quiet?: boolean }): Promise<void> {
    return this.runner.run(line, opts).finally(() => this.status.markDirty());
  }

  // ---- modals ---------------------------------------------------------------------

  private pushModal(m: Modal): void {
    this.modals.push(m);
    this.screenDirty = true;
    this.status.markDirty();
  }

  private modalClosed(): void {
    for (let i = this.modals.length - 1; i >= 0; i--) if (this.modals[i]!.closed) this.modals.splice(i, 1);
    this.screenDirty = true;
    this.status.markDirty();
  }

  private openHelp(): void {
    const pane = this.pane(this.focused);
    const lines = helpLines(this.theme, this.caps.unicode, this.globalKeys, pane.title, pane.keys, this.runner.names());
    this.pushModal(
      new OverlayBox(this.screen, () => this.theme, {
        title: `Help ${this.glyphs.dot} ${pane.title}`,
        lines,
        footer: 'Esc/?/q close  j/k scroll',
        closeKeys: ['escape', 'q', '?', 'enter'],
        onClose: () => this.modalClosed(),
      }),
    );
  }

  private openSettings(): void {
    this.pushModal(
      openSettingsView({
        screen: this.screen,
        theme: () => this.theme,
        glyphs: this.glyphs,
        store: this.opts.settings,
        ask: (p, i, d) => this.ask(p, i, d),
        apply: (f, v) => this.applySetting(f, v),
        say: (t, l) => this.say(t, l),
        onClose: () => this.modalClosed(),
      }),
    );
  }

  private applySetting(f: SettingField, value: unknown): string | void {
    switch (f.key) {
      case 'theme':
        return this.setTheme(String(value));
      case 'refreshHz':
        return this.scheduler.setFps(Number(value));
      case 'stabilizeMs':
        return this.node.stabilization.setIntervalMs(Number(value));
      case 'mouse':
        if (value) this.screen.program.enableMouse();
        else this.screen.program.disableMouse();
        return;
      default:
        return 'applies at the next start';
    }
  }

  private themeCommand(name: string | undefined): void {
    if (!name) return this.say(`themes: ${listThemes().join(', ')} (current: ${this.theme.name})`);
    this.setTheme(name);
    this.opts.settings.set('theme', name);
    this.say(`theme ${name}`);
  }

  private setCommand([key, ...rest]: string[]): void {
    const f = SETTING_FIELDS.find((x) => x.key === key);
    if (!f)
      return this.say(
        `set: unknown setting "${key ?? ''}"; one of ${SETTING_FIELDS.map((x) => x.key).join(', ')}`,
        'error',
      );
    try {
      const value = f.parse(rest.join(' '));
      const note = this.applySetting(f, value);
      this.opts.settings.set(f.key, value as never);
      this.say(`${f.key} = ${value === undefined ? '(not set)' : String(value)}${note ? ` (${note})` : ''}`);
    } catch (e) {
      this.say(`set ${key}: ${(e as Error).message}`, 'error');
    }
  }

  setTheme(name: string): void {
    this.theme = loadTheme(name, { colors: this.caps.colors });
    for (const p of Object.values(this.panes)) p.dirty = true;
    for (const m of this.modals) m.render();
    this.status.markDirty();
    this.screenDirty = true;
  }

  // ---- quitting -------------------------------------------------------------------

  quit(reason: QuitReason = 'quit', confirm = false): void {
    if (this.destroyed) return;
    const running = this.transfers.activeCount;
    if (!confirm || running === 0) {
      this.destroy();
      this.resolveClosed(reason);
      return;
    }
    if (this.modals.some((m) => m instanceof OverlayBox && (m as OverlayBox & { quitConfirm?: boolean }).quitConfirm))
      return;
    const box = new OverlayBox(this.screen, () => this.theme, {
      title: 'Quit?',
      lines: [`${running} transfer${running === 1 ? ' is' : 's are'} still running.`, 'Quit anyway and abandon them?'],
      footer: 'y quit  n/Esc stay',
      closeKeys: ['escape', 'n', 'q'],
      onKey: (name) => (name === 'y' || name === 'Y' ? (this.quit(reason, false), true) : false),
      onClose: () => this.modalClosed(),
    });
    (box as OverlayBox & { quitConfirm?: boolean }).quitConfirm = true;
    this.pushModal(box);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.scheduler.stop();
    for (const off of this.detachers) off();
    this.releaseStdio?.();
    this.screen.destroy();
  }
}

/**
 * blessed re-renders every element into its cell buffer on every screen.render(), changed or
 * not, and that is most of a frame's cost. The buffer is not cleared between frames, so a pane
 * whose text did not change can keep last frame's cells: its render is skipped unless
 * `changed()` (its text was redrawn, the screen needs a full pass — layout, theme, overlays —
 * or blessed itself asked for the render, as it does after clearing a label it moved).
 */
function keepCellsWhenUnchanged(box: Widgets.BoxElement, changed: () => boolean): void {
  const el = box as unknown as { render(): unknown; lpos?: unknown };
  const render = el.render.bind(el);
  el.render = () => (changed() || !el.lpos ? render() : el.lpos);
}
