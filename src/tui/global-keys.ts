/** The keys that work in every pane (before the focused pane's own), and the hints shown for them. */
import type { KeyBinding } from './keymap.js';
import type { PaneId } from './layout.js';
import type { QuitReason } from './console-api.js';

export interface GlobalKeyActions {
  focus(id: PaneId): void;
  cycleFocus(delta: number): void;
  openCommandLine(): void;
  openHelp(): void;
  openSettings(): void;
  /** Esc: the focused pane backs out of a filter or a mode. */
  back(): void;
  redrawAll(): void;
  /** The focused pane fills the screen, or the grid comes back. */
  zoom(): void;
  quit(reason: QuitReason, confirm?: boolean): void;
}

/** `order` numbers the panes; `extra` (the lab's keys) goes between focus and the command line. */
export function globalKeys(order: readonly PaneId[], extra: readonly KeyBinding[], a: GlobalKeyActions): KeyBinding[] {
  return [...focusKeys(order, a), ...extra, ...consoleKeys(a)];
}

function focusKeys(order: readonly PaneId[], a: GlobalKeyActions): KeyBinding[] {
  const numbered = order.map((id, i) => ({ keys: [String(i + 1)], help: '', run: () => a.focus(id) }));
  const names = order.map((id) => (id === 'stabilize' ? 'stabilization' : id)).join(', ');
  return [
    ...numbered,
    { keys: ['tab'], help: 'focus the next pane', hint: 'focus', run: () => a.cycleFocus(1) },
    { keys: ['S-tab'], help: 'focus the previous pane', run: () => a.cycleFocus(-1) },
    // Listed in the help only: the numbered bindings above do the work.
    { keys: [], label: `1-${order.length}`, help: `focus pane N (${names})`, run: () => undefined },
  ];
}

function consoleKeys(a: GlobalKeyActions): KeyBinding[] {
  return [
    {
      keys: [':'],
      help: 'command line (Tab completes, Up/Down history)',
      hint: 'command',
      run: () => a.openCommandLine(),
    },
    { keys: ['?'], help: 'this help (keys of the focused pane)', hint: 'help', run: () => a.openHelp() },
    { keys: [','], help: 'settings', hint: 'settings', run: () => a.openSettings() },
    { keys: ['escape'], help: 'back out (close, clear a filter, resume following)', run: () => a.back() },
    { keys: ['C-l'], help: 'redraw the whole screen', run: () => a.redrawAll() },
    { keys: ['z'], help: 'zoom: the focused pane fills the screen (z again restores)', run: () => a.zoom() },
    { keys: ['q'], help: 'quit (asks first if transfers are running)', hint: 'quit', run: () => a.quit('quit', true) },
    { keys: ['C-c'], help: 'quit now', run: () => a.quit('interrupt') },
  ];
}

/** The hint bar's bindings: help, focus, command line and quit, the focused pane's hints, settings. */
export function hintBindings(global: readonly KeyBinding[], pane: readonly KeyBinding[]): KeyBinding[] {
  const g = (k: string) => global.find((b) => b.keys.includes(k))!;
  return [g('?'), g('tab'), g(':'), g('q'), ...pane.filter((b) => b.hint), g(',')];
}
