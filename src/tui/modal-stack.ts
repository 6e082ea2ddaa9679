/**
 * The open modals (help, replies, settings, the quit question), newest on top. The top one
 * gets every key until it closes.
 */
import type { Modal } from './overlay.js';

export class ModalStack {
  private readonly modals: Modal[] = [];

  /** `changed` runs after a modal opened or closed (the screen must be drawn again). */
  constructor(private readonly changed: () => void) {}

  get top(): Modal | undefined {
    return this.modals[this.modals.length - 1];
  }

  get open(): boolean {
    return this.modals.length > 0;
  }

  push(m: Modal): void {
    this.modals.push(m);
    this.changed();
  }

  some(pred: (m: Modal) => boolean): boolean {
    return this.modals.some(pred);
  }

  /** The `onClose` of every modal pushed here: forgets the closed ones. */
  readonly closed = (): void => {
    for (let i = this.modals.length - 1; i >= 0; i--) if (this.modals[i]!.closed) this.modals.splice(i, 1);
    this.changed();
  };

  /** Redraws every open modal (theme or size changed). */
  renderAll(): void {
    for (const m of this.modals) m.render();
  }
}
