/**
 * Drawing: one frame timer (FrameScheduler) for the whole console. A frame redraws the panes
 * that are dirty or due to wake, the tab bar, the status bar, then renders the screen once.
 */
import type { Widgets } from 'blessed';
import type { ConsoleLayout, PaneId } from './layout.js';
import { FrameScheduler } from './frame-scheduler.js';
import type { PaneSet } from './pane-set.js';
import type { Pane } from './panes/pane.js';
import type { StatusBar } from './panes/status-bar.js';
import type { ScreenChrome } from './screen-chrome.js';
import type { Theme } from './theme.js';

/**
 * A pane's wake-up (an age ticking, a flash ending) is soft: a frame drawn for another reason
 * up to WAKE_EARLY_MS before it redraws the pane too, and the wake's own timer fires only
 * WAKE_LATE_MS after it. Idle on a live ring, the once-a-second ages then ride on the frames
 * that stabilization rounds cause anyway instead of adding frames of their own.
 */
const WAKE_EARLY_MS = 100;
const WAKE_LATE_MS = 250;

export interface FrameLoopDeps {
  readonly screen: Widgets.Screen;
  readonly panes: PaneSet;
  readonly status: StatusBar;
  readonly chrome: ScreenChrome;
  readonly layout: () => ConsoleLayout;
  readonly theme: () => Theme;
  readonly focused: () => PaneId;
  readonly unicode: boolean;
  /** The bottom line's message: `expire` drops it once due (true when it did), `until` is when it is due. */
  readonly message: { expire(now: number): boolean; until(): number };
  /** Most frames per second. */
  readonly fps: number;
}

export class FrameLoop {
  /** Everything must be drawn in the next frame (layout, theme, overlays changed). */
  screenDirty = true;
  private readonly scheduler: FrameScheduler;
  private readonly wakeAt = new Map<PaneId, number>();
  /** Panes whose text was redrawn in the frame being drawn; the others keep their cells. */
  private readonly drawnThisFrame = new Set<Pane>();
  /** True during our own screen.render(); renders blessed starts itself (resize, labels) stay full. */
  private inFrame = false;

  constructor(private readonly deps: FrameLoopDeps) {
    this.scheduler = new FrameScheduler(() => this.frame(), { fps: deps.fps });
  }

  get frames(): number {
    return this.scheduler.frames;
  }

  requestFrame(): void {
    this.scheduler.requestFrame();
  }

  /** Draws now instead of on the next frame. */
  flush(): void {
    this.scheduler.flush();
  }

  setFps(fps: number): void {
    this.scheduler.setFps(fps);
  }

  /** No frame after this one. */
  stop(): void {
    this.scheduler.stop();
  }

  /** Lets the pane's box keep last frame's cells while its text is unchanged (see keepCellsWhenUnchanged). */
  keepCells(p: Pane): void {
    keepCellsWhenUnchanged(p.box, () => !this.inFrame || this.screenDirty || this.drawnThisFrame.has(p));
  }

  private frame(): void {
    const now = Date.now();
    if (this.deps.message.expire(now)) this.deps.status.dirty = true;
    this.drawnThisFrame.clear();
    if (this.deps.layout().mode === 'too-small') this.deps.chrome.drawTooSmall(this.deps.theme(), this.deps.unicode);
    else this.drawPanes(now);
    this.inFrame = true;
    try {
      this.deps.screen.render();
    } finally {
      this.inFrame = false;
    }
    this.screenDirty = false;
    this.drawnThisFrame.clear();
    this.scheduleWake();
  }

  private drawPanes(now: number): void {
    const { panes, status } = this.deps;
    for (const [i, id] of panes.order.entries()) this.drawPane(id, i + 1, now);
    if (this.deps.layout().mode === 'tabs')
      this.deps.chrome.drawTabBar(this.deps.theme(), this.deps.focused(), panes.order);
    if (status.dirty) status.render();
  }

  private drawPane(id: PaneId, number: number, now: number): void {
    const p = this.deps.panes.get(id);
    if (!p.box.visible) return;
    if (!p.dirty && (this.wakeAt.get(id) ?? Infinity) > now + WAKE_EARLY_MS) return;
    if (p.render(number)) this.drawnThisFrame.add(p);
    const w = p.wakeIn();
    if (w === null) this.wakeAt.delete(id);
    else this.wakeAt.set(id, now + w);
  }

  private scheduleWake(): void {
    let next = this.deps.message.until();
    for (const [id, at] of this.wakeAt)
      if (this.deps.panes.get(id).box.visible) next = Math.min(next, at + WAKE_LATE_MS);
    if (next !== Infinity) this.scheduler.wakeAt(next);
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
