/**
 * The full-screen console: puts together the screen (console-screen.ts), the panes
 * (pane-set.ts, placed by pane-placement.ts), the focus, key routing, the bottom line, modals,
 * the built-in commands and the frame loop, wires them to the buses, and restores the terminal
 * on destroy(). Nothing is built at import time.
 */
import type { Widgets } from 'blessed';
import type { LogLevel } from '../core/log.js';
import type { EventBus } from '../bus/event-bus.js';
import { BottomLine } from './bottom-line.js';
import { wireBuses } from './bus-wiring.js';
import { consoleRunner } from './builtin-commands.js';
import type { CommandRunner } from './command-runner.js';
import { detailOverlay, helpOverlay, QuitConfirm, replyOverlay } from './console-modals.js';
import type { ConsoleApp, ConsoleOptions, QuitReason } from './console-api.js';
import { createConsoleScreen, reallocScreen } from './console-screen.js';
import { FrameLoop } from './frame-loop.js';
import { glyphsFor, type Glyphs } from './glyphs.js';
import { globalKeys, hintBindings } from './global-keys.js';
import { helpLines } from './help-text.js';
import { KeyRouter } from './key-router.js';
import { type BlessedKey, type KeyBinding, keyName } from './keymap.js';
import type { ConsoleLayout, PaneId } from './layout.js';
import { ModalStack } from './modal-stack.js';
import { PaneFocus } from './pane-focus.js';
import { PanePlacement } from './pane-placement.js';
import { PaneSet } from './pane-set.js';
import type { LogPane } from './panes/log-pane.js';
import type { Pane, PaneContext } from './panes/pane.js';
import type { RingMapPane } from './panes/ring-map-pane.js';
import { StatusBar } from './panes/status-bar.js';
import type { TransfersPane } from './panes/transfers-pane.js';
import type { ConsoleNode } from './console-node.js';
import { ScreenChrome } from './screen-chrome.js';
import { applySetting } from './setting-change.js';
import type { SettingField } from './settings.js';
import { openSettingsView } from './settings-view.js';
import { guardStdio } from './stdio-guard.js';
import { detectTerminal, type TerminalCaps } from './terminal-caps.js';
import { loadTheme, type Theme } from './theme.js';

export type { ConsoleApp, ConsoleLab, ConsoleOptions, ConsoleServices, QuitReason } from './console-api.js';

export function createConsole(opts: ConsoleOptions): ConsoleApp {
  return new Console(opts);
}

class Console implements ConsoleApp {
  readonly screen: Widgets.Screen;
  readonly panes: Readonly<Record<PaneId, Pane>>;
  readonly ringMap: RingMapPane;
  readonly log: LogPane;
  readonly transfers: TransfersPane;
  readonly status: StatusBar;
  readonly closed: Promise<QuitReason>;
  node: ConsoleNode;
  theme: Theme;
  private readonly caps: TerminalCaps;
  private readonly glyphs: Glyphs;
  private readonly paneSet: PaneSet;
  private readonly bottom: BottomLine;
  private readonly modals: ModalStack;
  private readonly frame: FrameLoop;
  private readonly runner: CommandRunner;
  private readonly keys: KeyBinding[];
  private readonly placement: PanePlacement;
  private readonly paneFocus: PaneFocus;
  private destroyed = false;
  private follow: (next: ConsoleNode) => void = () => undefined;
  private resolveClosed!: (r: QuitReason) => void;
  private readonly detachers: (() => void)[] = [];

  constructor(private readonly opts: ConsoleOptions) {
    this.closed = new Promise((r) => (this.resolveClosed = r));
    this.node = opts.lab?.node() ?? opts.node;
    this.caps = opts.caps ?? detectTerminal();
    this.glyphs = glyphsFor(this.caps.unicode);
    this.theme = typeof opts.theme === 'string' ? loadTheme(opts.theme, { colors: this.caps.colors }) : opts.theme;
    this.screen = createConsoleScreen(this.caps, opts);
    const ctx = this.paneContext();
    this.paneSet = new PaneSet(ctx, opts.lab, opts.initialLog);
    ({ byId: this.panes, ringMap: this.ringMap, log: this.log, transfers: this.transfers } = this.paneSet);
    this.bottom = this.createBottomLine();
    this.status = new StatusBar(ctx, this.bottom);
    const chrome = new ScreenChrome(this.screen);
    this.frame = this.createFrameLoop(chrome);
    this.modals = new ModalStack(() => this.redrawScreen());
    this.runner = this.createRunner();
    this.keys = this.createGlobalKeys();
    this.placement = this.createPlacement(chrome);
    this.paneFocus = new PaneFocus(this.paneSet, () => this.focusMoved());
    this.wire();
    this.focus('ring');
    this.relayout();
    this.frame.flush();
  }

  get layout(): ConsoleLayout {
    return this.placement.layout;
  }

  get focused(): PaneId {
    return this.paneFocus.current;
  }

  get frames(): number {
    return this.frame.frames;
  }

  /** Where the console's own log lines go: the lab's bus, else the node's. */
  private get consoleBus(): EventBus {
    return this.opts.lab?.bus ?? this.opts.node.bus;
  }

  // ---- parts ----------------------------------------------------------------------

  private paneContext(): PaneContext {
    const self = this;
    return {
      get node() {
        return self.node;
      },
      caps: this.caps,
      glyphs: this.glyphs,
      theme: () => this.theme,
      // The panes are built before the frame loop: nothing to draw yet.
      requestFrame: () => this.frame?.requestFrame(),
      runCommand: (line) => this.runCommand(line),
      hasCommand: (name) => this.runner.has(name),
      say: (text, level) => this.bottom.say(text, level),
      ask: (prefix, initial, done) => this.bottom.ask(prefix, initial, done),
      setting: (key) => this.opts.settings.get(key),
      show: (title, lines) => this.showLines(title, lines),
    };
  }

  private showLines(title: string, lines: readonly string[]): void {
    if (!this.destroyed)
      this.modals.push(detailOverlay(this.screen, () => this.theme, { title, lines, onClose: this.modals.closed }));
  }

  private createBottomLine(): BottomLine {
    return new BottomLine({
      width: () => Number(this.screen.width),
      theme: () => this.theme,
      unicode: this.caps.unicode,
      changed: () => this.status.markDirty(),
      hintKeys: () => (this.modals.open ? null : hintBindings(this.keys, this.focusedPane().keys)),
      complete: (w) => this.runner.names().filter((n) => n.startsWith(w)),
    });
  }

  private createFrameLoop(chrome: ScreenChrome): FrameLoop {
    const frame = new FrameLoop({
      screen: this.screen,
      panes: this.paneSet,
      status: this.status,
      chrome,
      layout: () => this.layout,
      theme: () => this.theme,
      focused: () => this.focused,
      unicode: this.caps.unicode,
      message: this.bottom,
      fps: this.opts.refreshHz ?? this.opts.settings.get('refreshHz'),
    });
    for (const p of this.paneSet.all()) {
      this.screen.append(p.box);
      frame.keepCells(p);
    }
    this.screen.append(this.status.box);
    return frame;
  }

  private createRunner(): CommandRunner {
    return consoleRunner({
      commands: this.opts.commands,
      settings: this.opts.settings,
      quit: () => this.quit('quit', true),
      openHelp: () => this.openHelp(),
      openSettings: () => this.openSettings(),
      clearLog: () => this.log.clear(),
      say: (text, level) => this.bottom.say(text, level),
      themeName: () => this.theme.name,
      setTheme: (name) => this.setTheme(name),
      apply: (f, value) => this.applySetting(f, value),
      // The shown node's clock: in the lab its lines then share the ring's virtual time.
      log: (level, message) =>
        this.consoleBus.emit('log:line', { at: this.node.clock.now(), level, topic: 'console', message }),
      // A command that finishes after the console closed has nowhere to show its reply.
      showReply: (title, lines) =>
        this.destroyed ||
        this.modals.push(replyOverlay(this.screen, () => this.theme, { title, lines, onClose: this.modals.closed })),
    });
  }

  private createGlobalKeys(): KeyBinding[] {
    return globalKeys(this.paneSet.order, [...(this.opts.lab?.keys ?? []), ...(this.opts.keys ?? [])], {
      focus: (id) => this.focus(id),
      cycleFocus: (delta) => this.paneFocus.cycle(delta),
      openCommandLine: () => this.bottom.openCommandLine(this.opts.settings, (line) => void this.runCommand(line)),
      openHelp: () => this.openHelp(),
      openSettings: () => this.openSettings(),
      back: () => void this.focusedPane().back(),
      redrawAll: () => this.redrawAll(),
      zoom: () => this.toggleZoom(),
      quit: (reason, confirm) => this.quit(reason, confirm),
    });
  }

  private createPlacement(chrome: ScreenChrome): PanePlacement {
    return new PanePlacement({
      screen: this.screen,
      set: this.opts.lab ? 'lab' : 'node',
      panes: this.paneSet,
      status: this.status,
      chrome,
      focused: () => this.focused,
      moved: () => {
        this.modals.renderAll();
        this.frame.screenDirty = true;
      },
    });
  }

  private focusedPane(): Pane {
    return this.paneSet.get(this.focused);
  }

  // ---- wiring ---------------------------------------------------------------------

  private wire(): void {
    this.detachers.push(
      wireBuses({
        lab: this.opts.lab,
        panes: this.paneSet,
        status: this.status,
        node: () => this.node,
        showNode: (node) => (this.node = node),
        follower: (follow) => (this.follow = follow),
        requestFrame: () => this.frame.requestFrame(),
      }),
    );
    const router = this.createKeyRouter();
    this.screen.on('keypress', (ch: string | undefined, key: BlessedKey | undefined) => router.route(keyName(ch, key)));
    this.screen.on('resize', () => {
      this.relayout();
      this.frame.flush();
    });
    if (this.opts.settings.get('mouse')) this.paneFocus.enableMouse();
    this.captureStdio();
  }

  private createKeyRouter(): KeyRouter {
    return new KeyRouter({
      closed: () => this.destroyed,
      tooSmall: () => this.layout.mode === 'too-small',
      bottom: this.bottom,
      modals: this.modals,
      globalKeys: () => this.keys,
      paneKeys: () => this.focusedPane().keys,
      quit: (reason, confirm) => this.quit(reason, confirm),
      modalChanged: () => {
        this.frame.screenDirty = true;
        this.frame.requestFrame();
      },
      statusChanged: () => this.status.markDirty(),
    });
  }

  /** While the screen is up, console.*, stderr and warnings become log lines (see stdio-guard.ts). */
  private captureStdio(): void {
    const capture = this.opts.captureStdio ?? (this.opts.output ?? process.stdout) === process.stdout;
    if (!capture) return;
    const log = (level: LogLevel, topic: string, message: string) =>
      this.consoleBus.emit('log:line', { at: this.node.clock.now(), level, topic, message });
    this.detachers.push(guardStdio(log));
  }

  // ---- focus, layout, drawing -----------------------------------------------------

  focus(id: PaneId): void {
    this.paneFocus.focus(id);
  }

  /** z: the focused pane fills the screen (above the status line), z again restores the grid. */
  private toggleZoom(): void {
    this.placement.zoomed = !this.placement.zoomed;
    this.bottom.say(this.placement.zoomed ? `zoomed: ${this.focusedPane().title} (z restores)` : 'zoom off');
    this.relayout();
  }

  get zoomed(): boolean {
    return this.placement.zoomed;
  }

  say(text: string, level?: 'info' | 'error'): void {
    this.bottom.say(text, level);
  }

  private focusMoved(): void {
    if (this.layout.mode === 'tabs' || this.placement.zoomed) this.relayout();
    this.status.markDirty();
  }

  private relayout(): void {
    this.placement.relayout();
  }

  showNode(next: ConsoleNode): void {
    this.follow(next);
  }

  renderNow(): void {
    this.frame.flush();
  }

  private redrawAll(): void {
    reallocScreen(this.screen);
    this.relayout();
    this.frame.flush();
  }

  /** A modal opened or closed: every cell is drawn again. */
  private redrawScreen(): void {
    this.frame.screenDirty = true;
    this.status.markDirty();
  }

  // ---- commands, modals, settings -------------------------------------------------

  runCommand(line: string, opts?: { quiet?: boolean }): Promise<void> {
    return this.runner.run(line, opts).finally(() => this.status.markDirty());
  }

  private openHelp(): void {
    const pane = this.focusedPane();
    const lines = helpLines(this.theme, this.caps.unicode, this.keys, pane.title, pane.keys, this.runner.names());
    const title = `Help ${this.glyphs.dot} ${pane.title}`;
    this.modals.push(helpOverlay(this.screen, () => this.theme, { title, lines, onClose: this.modals.closed }));
  }

  private openSettings(): void {
    this.modals.push(
      openSettingsView({
        screen: this.screen,
        theme: () => this.theme,
        glyphs: this.glyphs,
        store: this.opts.settings,
        ask: (p, i, d) => this.bottom.ask(p, i, d),
        apply: (f, v) => this.applySetting(f, v),
        say: (t, l) => this.bottom.say(t, l),
        onClose: this.modals.closed,
      }),
    );
  }

  private applySetting(f: SettingField, value: unknown): string | void {
    return applySetting(f, value, {
      setTheme: (name) => this.setTheme(name),
      setFps: (fps) => this.frame.setFps(fps),
      setStabilizeMs: (ms) => this.node.stabilization.setIntervalMs(ms),
      setMouse: (on) => {
        if (on) this.screen.program.enableMouse();
        else this.screen.program.disableMouse();
      },
    });
  }

  setTheme(name: string): void {
    this.theme = loadTheme(name, { colors: this.caps.colors });
    this.paneSet.markAllDirty();
    this.modals.renderAll();
    this.status.markDirty();
    this.frame.screenDirty = true;
  }

  // ---- quitting -------------------------------------------------------------------

  quit(reason: QuitReason = 'quit', confirm = false): void {
    if (this.destroyed) return;
    // A get or put whose transfer is not registered yet counts as running too.
    const running = Math.max(this.transfers.activeCount, this.runner.transfersInFlight);
    if (!confirm || running === 0) {
      this.destroy();
      this.resolveClosed(reason);
      return;
    }
    if (this.modals.some((m) => m instanceof QuitConfirm)) return;
    const quit = () => this.quit(reason, false);
    this.modals.push(new QuitConfirm(this.screen, () => this.theme, { running, quit, onClose: this.modals.closed }));
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.frame.stop();
    for (const off of this.detachers) off();
    this.screen.destroy();
  }
}
