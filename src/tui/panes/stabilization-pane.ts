/**
 * Live stabilization: the timer's state (running every N ms / paused), ring health ("is my
 * successor's predecessor me?"), running totals, and every round's outcome, newest first.
 * p pauses and resumes, s runs one round, + and - change the speed: all through
 * `node.stabilization`, never through sockets.
 *
 * A round that changed something gets a row of its own and is drawn at once. Quiet rounds in a
 * row (nothing moved, ring healthy, same neighbours) fold into one row counting them ("×12"),
 * and the pane shows them on the clock's QUIET_STEP_MS steps instead of waking for each: an
 * idle console then draws once every few seconds, together with the finger table's ages.
 */
import { QUIET_STEP_MS, quietStepMs } from '../quiet-step.js';
import type { EventBus } from '../../bus/event-bus.js';
import type { StabilizeOutcome } from '../../bus/events.js';
import type { NodeRefJson } from '../../core/node-ref.js';
import { clipWithEllipsis, clockTime, escapeTags, fit, shortId } from '../format.js';
import type { KeyBinding } from '../keymap.js';
import { ListCursor } from '../list-cursor.js';
import { changeLines, roundDetail } from '../round-text.js';
import { wrapLine } from '../wrap-line.js';
import type { Theme } from '../theme.js';
import { Pane, type PaneContext } from './pane.js';

/** Rounds kept for the history list. */
export const STABILIZE_HISTORY = 500;
export const MIN_INTERVAL_MS = 10;
export const MAX_INTERVAL_MS = 60_000;

export class StabilizationPane extends Pane {
  readonly id = 'stabilize' as const;
  readonly title = 'Stabilization';
  readonly keys: readonly KeyBinding[];
  private readonly history: StabilizeOutcome[] = [];
  /** How many quiet rounds a folded row stands for (rows not in the map: one). */
  private readonly folded = new WeakMap<StabilizeOutcome, number>();
  private readonly cursor = new ListCursor();
  /**
   * Each round's change lines as last drawn, by width and theme: a round never changes once
   * recorded, and a lone node's first round moves every finger (160 of them), so an idle frame
   * would otherwise rebuild the same text for every visible round.
   */
  private readonly changeRowsDrawn = new WeakMap<StabilizeOutcome, { width: number; theme: Theme; rows: string[] }>();
  private totals = { rounds: 0, adopted: 0, dead: 0, errors: 0, predDead: 0 };

  constructor(ctx: PaneContext) {
    super(ctx);
    this.keys = [
      {
        keys: ['p', 'space'],
        label: 'p',
        help: 'pause / resume the stabilization timer',
        hint: 'pause',
        run: () => this.togglePause(),
      },
      {
        keys: ['s', '.'],
        label: 's',
        help: 'run one round now (also while paused)',
        hint: 'step',
        run: () => this.step(),
      },
      { keys: ['+', '='], label: '+', help: 'faster: halve the interval', hint: 'faster', run: () => this.speed(0.5) },
      { keys: ['-', '_'], label: '-', help: 'slower: double the interval', hint: 'slower', run: () => this.speed(2) },
      ...this.cursor.bindings(
        () => this.history.length,
        () => this.markDirty(),
        'round',
      ),
      { keys: ['c'], help: 'clear the history and totals', run: () => this.clear() },
      {
        keys: ['enter'],
        help: 'the selected round in detail: every pointer moved, and why',
        hint: 'detail',
        run: () => this.openDetail(),
      },
    ];
  }

  protected subscribe(bus: EventBus): void {
    this.on(bus, 'stabilize:round', (o) => this.record(o));
    this.redrawOn(bus, [
      'node:listening',
      'node:joined',
      'node:left',
      'ring:predecessor-changed',
      'ring:successor-changed',
    ]);
  }

  /**
   * Records a round; false (no frame asked for) when it folded into the quiet row on top. The
   * pane is still dirty then: the next frame shows it, at the latest the clock step wakeIn names.
   */
  private record(o: StabilizeOutcome): boolean {
    const top = this.history[0];
    if (top && isQuiet(o) && isQuiet(top) && sameNeighbours(o, top)) {
      this.history[0] = o;
      this.folded.set(o, (this.folded.get(top) ?? 1) + 1);
      this.totals.rounds++;
      this.dirty = true;
      return false;
    }
    this.history.unshift(o);
    if (this.history.length > STABILIZE_HISTORY) this.history.pop();
    if (this.cursor.selected > 0) this.cursor.selected++;
    const t = this.totals;
    t.rounds++;
    if (o.adoptedSuccessor) t.adopted++;
    t.dead += o.skippedDead.length;
    if (o.error) t.errors++;
    if (o.predecessorCheck === 'dead') t.predDead++;
    return true;
  }

  /** While quiet rounds fold into the top row, the next step of the clock shows the latest ones. */
  override wakeIn(): number | null {
    const top = this.history[0];
    if (!top || !isQuiet(top) || this.ctx.node.stabilization.isPaused()) return null;
    const step = Math.max(QUIET_STEP_MS, quietStepMs(this.ctx.node.stabilization));
    return step - (this.ctx.node.clock.now() % step);
  }

  override nodeChanged(): void {
    this.clear();
  }

  /** The last round's outcome, if any (tests). */
  get lastRound(): StabilizeOutcome | undefined {
    return this.history[0];
  }

  protected override titleExtra(): string {
    return this.ctx.node.stabilization.isPaused() ? 'PAUSED' : '';
  }

  protected draw(width: number, height: number): string[] {
    const header = this.header();
    const rows = Math.max(0, height - header.length - 1);
    // Cut with an ellipsis, never mid-word without a mark (the quiet note's parenthesis).
    const lines = header.map((l) => clipWithEllipsis(l, width, this.ctx.glyphs.ellipsis));
    const w = this.idWidth();
    lines.push(
      this.ctx
        .theme()
        .tag(
          'heading',
          escapeTags(
            fit(
              `${fit('time', 9, '')} ${fit('', 1, '')} ${fit('succ', w, '')} ${fit('s.pred', w, '')} this round`,
              width,
              '',
            ),
          ),
        ),
    );
    const { start } = this.cursor.window(this.history.length, rows);
    // A round that moved pointers takes a line per cause under it (wrapped, never cut): start
    // at the selection when the rounds above it would push it out of view.
    const first = this.fits(start, this.cursor.selected, rows, width) ? start : this.cursor.selected;
    for (let i = first; i < this.history.length && lines.length < height; i++) {
      const selected = i === this.cursor.selected && this.focused && i > 0;
      lines.push(this.roundLine(this.history[i]!, width, selected), ...this.changeRows(this.history[i]!, width));
    }
    if (this.history.length === 0) lines.push(this.ctx.theme().tag('dim', 'waiting for the first round...'));
    return lines.slice(0, height);
  }

  private header(): string[] {
    const t = this.ctx.theme();
    const x = this.totals;
    return [
      `${t.tag('accent', 'timer')}   ${this.timerText()}`,
      `${t.tag('accent', 'health')}  succ.pred == me? ${this.healthText()}`,
      `${t.tag('accent', 'rounds')}  ${x.rounds}  adopted ${x.adopted}  dead succ/pred ${x.dead}/${x.predDead}  err ${x.errors > 0 ? t.tag('error', String(x.errors)) : '0'}`,
    ];
  }

  private timerText(): string {
    const t = this.ctx.theme();
    const g = this.ctx.glyphs;
    const st = this.ctx.node.stabilization;
    if (st.isPaused()) return t.tag('warn', `${g.paused} paused`) + t.tag('dim', '  (s steps, p resumes)');
    return (
      t.tag('ok', `${g.running} running`) +
      ` every ${st.intervalMs()} ms` +
      backedOff(st.effectiveMs(), st.intervalMs(), t)
    );
  }

  private healthText(): string {
    const t = this.ctx.theme();
    const g = this.ctx.glyphs;
    const snap = this.ctx.node.snapshot({ fingers: false });
    const last = this.history.find((o) => o.trigger !== 'notify');
    if (!snap.inRing) return t.tag('dim', 'not in a ring');
    if (snap.successors.every((n) => n.address === snap.address)) return t.tag('dim', 'alone: a ring of one');
    if (!last) return t.tag('dim', 'no round yet');
    if (last.healthy) return t.tag('ok', `${g.check} yes`);
    return t.tag('error', `${g.cross} no`) + escapeTags(` (it is ${this.name(last.successorPredecessor)})`);
  }

  private roundLine(o: StabilizeOutcome, width: number, selected: boolean): string {
    const t = this.ctx.theme();
    const g = this.ctx.glyphs;
    if (o.trigger === 'notify') return this.notifyLine(o, width);
    const mark = o.error ? g.cross : o.healthy ? g.check : '!';
    const alone = o.successor.address === this.ctx.node.self.address;
    const acts: string[] = [];
    if (o.adoptedSuccessor) acts.push('ADOPTED');
    if (o.skippedDead.length) acts.push(`skip ${o.skippedDead.length} dead`);
    if (!alone && o.notifyNeeded !== false) acts.push(o.notified ? `notify${g.check}` : 'NOTIFY FAILED');
    if (o.fingerFixed !== null) acts.push(`fix${o.fingerFixed}`);
    acts.push(
      o.predecessorCheck === 'alive' ? `pred${g.check}` : o.predecessorCheck === 'dead' ? 'PRED DEAD' : 'no pred',
    );
    if (o.successorListChanged) acts.push('list');
    if (o.error) acts.push(`error: ${o.error}`);
    // First, so a narrow pane does not cut it off.
    const times = this.folded.get(o);
    if (times) acts.unshift(`×${times}`);
    const w = this.idWidth();
    const text = `${clockTime(o.at).slice(3)} ${fit(mark, 1, '')} ${fit(this.name(o.successor), w, g.ellipsis)} ${fit(this.name(o.successorPredecessor), w, g.ellipsis)} ${acts.join(' ')}`;
    const role = selected ? 'selected' : o.error ? 'error' : o.healthy ? null : 'warn';
    const body = escapeTags(fit(text, width, g.ellipsis));
    return role ? t.tag(role, body) : body;
  }

  /** A predecessor moved by a notify from a peer: a row of its own. */
  private notifyLine(o: StabilizeOutcome, width: number): string {
    const g = this.ctx.glyphs;
    const text = `${clockTime(o.at).slice(3)} ${fit('n', 1, '')} notify: predecessor moved`;
    return this.ctx.theme().tag('accent', escapeTags(fit(text, width, g.ellipsis)));
  }

  /** The pointers a round moved, a line per cause, wrapped to the pane's width. */
  private changeRows(o: StabilizeOutcome, width: number): string[] {
    if (!o.changes?.length) return [];
    const t = this.ctx.theme();
    const drawn = this.changeRowsDrawn.get(o);
    if (drawn && drawn.width === width && drawn.theme === t) return drawn.rows;
    const text = changeLines(o.changes, (n) => this.name(n), this.ctx.glyphs.arrow);
    const rows = text.flatMap((l) => wrapLine(`  ${l}`, width, '    ')).map((l) => t.tag('dim', escapeTags(l)));
    this.changeRowsDrawn.set(o, { width, theme: t, rows });
    return rows;
  }

  /** Whether rounds start..selected fit in `rows` lines with their change lines. */
  private fits(start: number, selected: number, rows: number, width: number): boolean {
    let used = 0;
    for (let i = start; i <= selected && i < this.history.length; i++)
      used += 1 + this.changeRows(this.history[i]!, width).length;
    return used <= rows;
  }

  private openDetail(): void {
    const o = this.history[this.cursor.selected];
    if (!o) return this.ctx.say('no round yet', 'error');
    const title = `${this.title} ${this.ctx.glyphs.dot} ${o.trigger === 'notify' ? 'notify' : 'round'} ${clockTime(o.at)}`;
    this.ctx.show(
      title,
      roundDetail(o, (n) => this.name(n), this.ctx.glyphs.arrow),
    );
  }

  private idWidth(): number {
    return Math.max(6, Math.min(9, Math.ceil(this.ctx.node.bits / 4)));
  }

  private name(n: NodeRefJson | null): string {
    if (!n) return 'none';
    // self.address, not snapshot(): this runs for every visible round, and a snapshot copies the finger table.
    if (n.address === this.ctx.node.self.address) return 'me';
    return shortId(n.id, 8, this.ctx.glyphs.ellipsis);
  }

  private togglePause(): void {
    const st = this.ctx.node.stabilization;
    if (st.isPaused()) st.resume();
    else st.pause();
    this.ctx.say(st.isPaused() ? 'stabilization paused' : 'stabilization resumed');
    this.markDirty();
  }

  private async step(): Promise<void> {
    try {
      await this.ctx.node.stabilization.step();
    } catch (e) {
      this.ctx.say(`step failed: ${(e as Error).message}`, 'error');
    }
    this.markDirty();
  }

  private speed(factor: number): void {
    const st = this.ctx.node.stabilization;
    const ms = Math.round(Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, st.intervalMs() * factor)));
    st.setIntervalMs(ms);
    this.ctx.say(`stabilization every ${ms} ms`);
    this.markDirty();
  }

  private clear(): void {
    this.history.length = 0;
    this.totals = { rounds: 0, adopted: 0, dead: 0, errors: 0, predDead: 0 };
    this.cursor.selected = 0;
    this.markDirty();
  }
}

/** A round that moved nothing and saw the ring healthy (pointer changes unknown: any finger fix may have moved one). */
function isQuiet(o: StabilizeOutcome): boolean {
  const unchanged = o.changes ? o.changes.length === 0 : o.fingerFixed === null;
  return (
    unchanged &&
    o.healthy &&
    !o.error &&
    !o.adoptedSuccessor &&
    o.skippedDead.length === 0 &&
    !o.successorListChanged &&
    o.predecessorCheck !== 'dead' &&
    (o.trigger ?? 'round') === 'round'
  );
}

function sameNeighbours(a: StabilizeOutcome, b: StabilizeOutcome): boolean {
  return (
    a.successor.address === b.successor.address &&
    a.successorPredecessor?.address === b.successorPredecessor?.address &&
    a.notified === b.notified &&
    a.predecessorCheck === b.predecessorCheck
  );
}

/** " (quiet: next in 2000 ms)" while a settled ring has stretched the interval. */
function backedOff(effectiveMs: number, intervalMs: number, t: { tag(kind: 'dim', text: string): string }): string {
  return effectiveMs > intervalMs ? t.tag('dim', ` (quiet: ${effectiveMs} ms)`) : '';
}
