/**
 * The finger table: i, start, interval [start, next start), successor id and address, and how
 * long ago the entry was fixed. Entries whose successor changed flash for a moment. With wide
 * ids, runs of fingers that point at the same node collapse into one row (d toggles).
 */
import { quietStepMs } from '../quiet-step.js';
import type { EventBus } from '../../bus/event-bus.js';
import { fingerStart } from '../../core/ring-math.js';
import { escapeTags, fit, formatAge, shortId } from '../format.js';
import type { KeyBinding } from '../keymap.js';
import { ListCursor } from '../list-cursor.js';
import { Pane, type PaneContext } from './pane.js';

/** How long a changed entry stays highlighted. */
export const FLASH_MS = 2_000;

export interface FingerRow {
  readonly from: number;
  readonly to: number;
  readonly start: string;
  readonly end: string;
  readonly id: string;
  readonly address: string;
  readonly fixedAt: number;
}

export class FingerTablePane extends Pane {
  readonly id = 'fingers' as const;
  readonly title = 'Finger table';
  readonly keys: readonly KeyBinding[];
  private readonly cursor = new ListCursor();
  private readonly flashUntil = new Map<number, number>();
  private readonly lastAddress = new Map<number, string | null>();
  private collapse: boolean;
  /** Rows in the last drawn table: wakeIn reads it instead of copying the finger table again. */
  private rowsDrawn = 0;

  constructor(ctx: PaneContext) {
    super(ctx);
    this.collapse = ctx.node.bits > 16;
    this.keys = [
      ...this.cursor.bindings(
        () => this.rows().length,
        () => this.markDirty(),
        'entry',
      ),
      {
        keys: ['d'],
        help: 'collapse/expand runs with the same successor',
        hint: 'collapse',
        run: () => ((this.collapse = !this.collapse), this.markDirty()),
      },
    ];
  }

  protected subscribe(bus: EventBus): void {
    this.on(bus, 'finger:updated', (f) => {
      const before = this.lastAddress.get(f.index);
      const now = f.node?.address ?? null;
      this.lastAddress.set(f.index, now);
      if (before !== undefined && before !== now) this.flashUntil.set(f.index, this.ctx.node.clock.now() + FLASH_MS);
    });
    this.redrawOn(bus, ['node:joined', 'node:left', 'ring:successor-changed']);
  }

  override nodeChanged(): void {
    this.flashUntil.clear();
    this.lastAddress.clear();
    this.cursor.selected = 0;
    super.nodeChanged();
  }

  /** The rows shown, collapsed or not. */
  rows(): FingerRow[] {
    const snap = this.ctx.node.snapshot();
    const self = BigInt('0x' + snap.id);
    const out: { -readonly [K in keyof FingerRow]: FingerRow[K] }[] = [];
    for (const f of snap.fingers) {
      if (!this.lastAddress.has(f.index)) this.lastAddress.set(f.index, f.node.address);
      const prev = out[out.length - 1];
      if (this.collapse && prev && prev.address === f.node.address && prev.to === f.index - 1) {
        prev.to = f.index;
        prev.fixedAt = Math.max(prev.fixedAt, f.fixedAt);
      } else {
        const { id, address } = f.node;
        out.push({ from: f.index, to: f.index, start: f.start, end: '', id, address, fixedAt: f.fixedAt });
      }
    }
    // Only a run's last finger needs its end: one BigInt per row, not per finger.
    for (const r of out) r.end = (r.to + 1 < snap.bits ? fingerStart(self, r.to + 1, snap.bits) : self).toString(16);
    return out;
  }

  protected override titleExtra(): string {
    return this.collapse ? 'collapsed' : '';
  }

  protected draw(width: number, height: number): string[] {
    const t = this.ctx.theme();
    const rows = this.rows();
    this.rowsDrawn = rows.length;
    if (rows.length === 0)
      return [
        t.tag(
          'dim',
          this.ctx.node.routing === 'naive' ? 'naive routing: no fingers, lookups walk successors' : 'no fingers yet',
        ),
      ];
    const cols = this.columns(width, rows);
    const now = this.ctx.node.clock.now();
    const lines = [
      t.tag('heading', escapeTags(fit(cols.map((c) => fit(c.name, c.width, '', c.align)).join(' '), width, ''))),
    ];
    const { start, end } = this.cursor.window(rows.length, height - 1);
    for (let i = start; i < end; i++) lines.push(this.line(rows[i]!, i === this.cursor.selected, cols, width, now));
    return lines;
  }

  private line(row: FingerRow, selected: boolean, cols: readonly Column[], width: number, now: number): string {
    const text = escapeTags(
      fit(cols.map((c) => fit(c.value(row, now), c.width, this.ctx.glyphs.ellipsis, c.align)).join(' '), width, ''),
    );
    const role = selected && this.focused ? 'selected' : this.flashing(row, now) ? 'flash' : null;
    return role ? this.ctx.theme().tag(role, text) : text;
  }

  private flashing(row: FingerRow, now: number): boolean {
    for (let i = row.from; i <= row.to; i++) if ((this.flashUntil.get(i) ?? 0) > now) return true;
    return false;
  }

  /** Columns that fit `width`; the interval, then the start, go first when space is short. */
  private columns(width: number, rows: readonly FingerRow[]): Column[] {
    let cols = this.allColumns(rows);
    for (let level = 1; level <= 3 && total(cols) > width; level++) cols = cols.filter((c) => c.drop !== level);
    return cols;
  }

  /** Every column, each with the level at which it is dropped when space is short (9: never). */
  private allColumns(rows: readonly FingerRow[]): (Column & { drop: number })[] {
    const idW = Math.max(4, Math.min(Math.ceil(this.ctx.node.bits / 4), 10));
    const addrW = Math.min(21, Math.max(7, ...rows.map((r) => r.address.length)));
    const iW = Math.max(2, ...rows.map((r) => (r.from === r.to ? String(r.from) : `${r.from}-${r.to}`).length));
    const e = this.ctx.glyphs.ellipsis;
    const id = (hex: string) => shortId(hex, idW, e);
    // Wide ids share their leading digits with this node's: n+2^i is what tells starts apart.
    const relative = Math.ceil(this.ctx.node.bits / 4) > idW;
    const start = (i: number) => (relative ? `n+2^${i}` : null);
    const end = (r: FingerRow) => (relative ? (r.to + 1 < this.ctx.node.bits ? `n+2^${r.to + 1}` : 'n') : id(r.end));
    return [
      {
        name: 'i',
        width: iW,
        align: 'right',
        drop: 9,
        value: (r) => (r.from === r.to ? String(r.from) : `${r.from}-${r.to}`),
      },
      { name: 'start', width: Math.max(5, idW), align: 'left', drop: 2, value: (r) => start(r.from) ?? id(r.start) },
      {
        name: 'interval',
        width: idW * 2 + 3,
        align: 'left',
        drop: 1,
        value: (r) => `[${start(r.from) ?? id(r.start)},${end(r)})`,
      },
      { name: 'succ', width: idW, align: 'left', drop: 9, value: (r) => id(r.id) },
      { name: 'address', width: addrW, align: 'left', drop: 3, value: (r) => r.address },
      {
        name: 'fixed',
        width: 8,
        align: 'right',
        drop: 9,
        // A finger copied at join but not fixed yet has no fix time (-1).
        value: (r, now) => (r.fixedAt < 0 ? 'never' : `${formatAge(stepped(now, this.ageStepMs()) - r.fixedAt)} ago`),
      },
    ];
  }

  override wakeIn(): number | null {
    // Ages tick in steps (see ageStepMs); a flash ends at its own time.
    const now = this.ctx.node.clock.now();
    const step = this.ageStepMs();
    if (this.rowsDrawn === 0) return null;
    let next = step - (now % step);
    for (const until of this.flashUntil.values()) if (until > now) next = Math.min(next, until - now);
    return Math.max(1, next);
  }

  /** Ages step with the clock (see quiet-step.ts). */
  private ageStepMs(): number {
    return quietStepMs(this.ctx.node.stabilization);
  }
}

interface Column {
  readonly name: string;
  readonly width: number;
  readonly align: 'left' | 'right';
  value(row: FingerRow, now: number): string;
}

function total(cols: readonly Column[]): number {
  return cols.reduce((s, c) => s + c.width + 1, -1);
}

/** `now` rounded down to a whole number of `step`s. */
function stepped(now: number, step: number): number {
  return Math.floor(now / step) * step;
}
