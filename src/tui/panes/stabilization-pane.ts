/**
 * Live stabilization: the timer's state (running every N ms / paused), ring health ("is my
 * successor's predecessor me?"), running totals, and every round's outcome, newest first.
 * p pauses and resumes, s runs one round, + and - change the speed: all through
 * `node.stabilization`, never through sockets.
 */
import type { EventBus } from '../../bus/event-bus.js';
import type { StabilizeOutcome } from '../../bus/events.js';
import type { NodeRefJson } from '../../core/node-ref.js';
import { clockTime, escapeTags, fit, shortId } from '../format.js';
import type { KeyBinding } from '../keymap.js';
import { ListCursor } from '../list-cursor.js';
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
  private readonly cursor = new ListCursor();
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

  private record(o: StabilizeOutcome): void {
    this.history.unshift(o);
    if (this.history.length > STABILIZE_HISTORY) this.history.pop();
    if (this.cursor.selected > 0) this.cursor.selected++;
    const t = this.totals;
    t.rounds++;
    if (o.adoptedSuccessor) t.adopted++;
    t.dead += o.skippedDead.length;
    if (o.error) t.errors++;
    if (o.predecessorCheck === 'dead') t.predDead++;
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
    const lines = header.map((l) => l);
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
    const { start, end } = this.cursor.window(this.history.length, rows);
    for (let i = start; i < end; i++)
      lines.push(this.roundLine(this.history[i]!, width, i === this.cursor.selected && this.focused && i > 0));
    if (this.history.length === 0) lines.push(this.ctx.theme().tag('dim', 'waiting for the first round...'));
    return lines;
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
    const snap = this.ctx.node.snapshot();
    const last = this.history[0];
    if (!snap.inRing) return t.tag('dim', 'not in a ring');
    if (snap.successors.every((n) => n.address === snap.address)) return t.tag('dim', 'alone: a ring of one');
    if (!last) return t.tag('dim', 'no round yet');
    if (last.healthy) return t.tag('ok', `${g.check} yes`);
    return t.tag('error', `${g.cross} no`) + escapeTags(` (it is ${this.name(last.successorPredecessor)})`);
  }

  private roundLine(o: StabilizeOutcome, width: number, selected: boolean): string {
    const t = this.ctx.theme();
    const g = this.ctx.glyphs;
    const mark = o.error ? g.cross : o.healthy ? g.check : '!';
    const alone = o.successor.address === this.ctx.node.self.address;
    const acts: string[] = [];
    if (o.adoptedSuccessor) acts.push('ADOPTED');
    if (o.skippedDead.length) acts.push(`skip ${o.skippedDead.length} dead`);
    if (!alone) acts.push(o.notified ? `notify${g.check}` : 'NOTIFY FAILED');
    if (o.fingerFixed !== null) acts.push(`fix${o.fingerFixed}`);
    acts.push(
      o.predecessorCheck === 'alive' ? `pred${g.check}` : o.predecessorCheck === 'dead' ? 'PRED DEAD' : 'no pred',
    );
    if (o.successorListChanged) acts.push('list');
    if (o.error) acts.push(`error: ${o.error}`);
    const w = this.idWidth();
    const text = `${clockTime(o.at).slice(3)} ${fit(mark, 1, '')} ${fit(this.name(o.successor), w, g.ellipsis)} ${fit(this.name(o.successorPredecessor), w, g.ellipsis)} ${acts.join(' ')}`;
    const role = selected ? 'selected' : o.error ? 'error' : o.healthy ? null : 'warn';
    const body = escapeTags(fit(text, width, g.ellipsis));
    return role ? t.tag(role, body) : body;
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

/** " (quiet: next in 2000 ms)" while a settled ring has stretched the interval. */
function backedOff(effectiveMs: number, intervalMs: number, t: { tag(kind: 'dim', text: string): string }): string {
  return effectiveMs > intervalMs ? t.tag('dim', ` (quiet: ${effectiveMs} ms)`) : '';
}
