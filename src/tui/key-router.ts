/**
 * Where a key press goes: Ctrl-C always quits; below the minimum size only q works; an open
 * prompt, then the top modal, get every key; otherwise the global keys, then the focused pane's.
 */
import type { BottomLine } from './bottom-line.js';
import type { QuitReason } from './console-api.js';
import { findBinding, type KeyBinding } from './keymap.js';
import type { ModalStack } from './modal-stack.js';

export interface KeyRouterDeps {
  readonly closed: () => boolean;
  readonly tooSmall: () => boolean;
  readonly bottom: BottomLine;
  readonly modals: ModalStack;
  readonly globalKeys: () => readonly KeyBinding[];
  readonly paneKeys: () => readonly KeyBinding[];
  readonly quit: (reason: QuitReason, confirm?: boolean) => void;
  /** A modal handled a key: the whole screen is drawn again. */
  readonly modalChanged: () => void;
  /** Something the bottom line shows may have changed (hints of another pane, a message). */
  readonly statusChanged: () => void;
}

export class KeyRouter {
  constructor(private readonly deps: KeyRouterDeps) {}

  route(name: string): void {
    const d = this.deps;
    if (d.closed() || !name) return;
    if (name === 'C-c') return d.quit('interrupt');
    if (d.tooSmall()) {
      if (name === 'q') d.quit('quit', true);
      return;
    }
    if (d.bottom.prompting) return d.bottom.handleKey(name);
    const modal = d.modals.top;
    if (modal) {
      modal.handleKey(name);
      return d.modalChanged();
    }
    const binding = findBinding(d.globalKeys(), name) ?? findBinding(d.paneKeys(), name);
    if (binding) this.run(binding);
    d.statusChanged();
  }

  /** A binding's failure is shown on the bottom line, never dropped. */
  private run(b: KeyBinding): void {
    const r = b.run();
    if (r instanceof Promise) r.catch((e: Error) => this.deps.bottom.say(e.message, 'error'));
  }
}
