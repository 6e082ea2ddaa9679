/**
 * Transfers: one gauge per active transfer with rate, ETA and sources, a throughput sparkline
 * of the last minute, the peers we upload to (who the choker serves first, who is choked and
 * why, bytes each way), and the finished/failed history. Fed only by `transfer:*` and
 * `upload:peers` events.
 */
import type { EventBus } from '../../bus/event-bus.js';
import type { BusEvents, TransferInfo, UploadPeer } from '../../bus/events.js';
import { clipTagged, escapeTags, fit, formatBytes, formatEta, formatRate } from '../format.js';
import type { KeyBinding } from '../keymap.js';
import { gaugeBar, sparkline } from '../text-charts.js';
import { Pane, type PaneContext } from './pane.js';

/** Finished transfers kept in the history. */
export const TRANSFER_HISTORY = 50;
/** Seconds of throughput the sparkline remembers. */
const SPARK_SECONDS = 120;

interface Active {
  readonly info: TransferInfo;
  bytes: number;
  total: number;
  rateBps: number;
  etaSec: number | null;
  sources: number;
}

type Finished = BusEvents['transfer:finished'];

export class TransfersPane extends Pane {
  readonly id = 'transfers' as const;
  readonly title = 'Transfers';
  readonly keys: readonly KeyBinding[];
  private readonly active = new Map<string, Active>();
  private history: Finished[] = [];
  /** The choker's latest view of the peers asking us for chunks. */
  private uploads: readonly UploadPeer[] = [];
  /** Total throughput per wall-clock second. */
  private readonly perSecond = new Map<number, number>();

  constructor(ctx: PaneContext) {
    super(ctx);
    this.keys = [
      {
        keys: ['c'],
        help: 'clear the finished/failed history',
        hint: 'clear history',
        run: () => ((this.history = []), this.markDirty()),
      },
    ];
  }

  protected subscribe(bus: EventBus): void {
    this.on(bus, 'transfer:started', (t) => {
      this.active.set(t.id, { info: t, bytes: 0, total: t.size, rateBps: 0, etaSec: null, sources: t.sources.length });
    });
    this.on(bus, 'transfer:progress', (p) => {
      const a = this.active.get(p.id);
      if (!a) return false;
      Object.assign(a, {
        bytes: p.bytes,
        total: p.total,
        rateBps: p.rateBps,
        etaSec: p.etaSec,
        sources: p.sources.length || a.sources,
      });
      this.sample();
    });
    this.on(bus, 'transfer:finished', (f) => {
      this.active.delete(f.id);
      this.history.unshift(f);
      if (this.history.length > TRANSFER_HISTORY) this.history.pop();
      this.sample();
    });
    this.on(bus, 'upload:peers', (e) => {
      this.uploads = [...e.peers].sort(byServiceOrder);
    });
  }

  /** Transfers still running (quitting asks first when there are any). */
  get activeCount(): number {
    return this.active.size;
  }

  private sample(): void {
    const sec = Math.floor(Date.now() / 1000);
    let total = 0;
    for (const a of this.active.values()) total += a.rateBps;
    this.perSecond.set(sec, Math.max(this.perSecond.get(sec) ?? 0, total));
    for (const k of this.perSecond.keys()) if (k < sec - SPARK_SECONDS) this.perSecond.delete(k);
  }

  protected override titleExtra(): string {
    return this.active.size ? `${this.active.size} active` : '';
  }

  protected draw(width: number, height: number): string[] {
    const t = this.ctx.theme();
    const lines = [this.throughputLine(width)];
    for (const a of this.active.values()) lines.push(...this.activeLines(a, width));
    if (this.active.size === 0) lines.push(t.tag('dim', 'no active transfers'));
    // Half the pane at most: the history stays in view.
    if (this.uploads.length) lines.push(...this.uploadLines(width, Math.max(3, Math.floor(height / 2))));
    if (this.history.length && lines.length < height - 1) {
      lines.push(t.tag('heading', 'history'));
      for (const f of this.history) lines.push(this.historyLine(f, width));
    }
    return lines.slice(0, height);
  }

  private throughputLine(width: number): string {
    const now = Math.floor(Date.now() / 1000);
    const label = 'rate ';
    let current = 0;
    for (const a of this.active.values()) current += a.rateBps;
    const rate = ` ${formatRate(current)}`;
    const w = Math.max(0, width - label.length - rate.length);
    const values = Array.from({ length: w }, (_, i) => this.perSecond.get(now - w + 1 + i) ?? 0);
    return (
      this.ctx.theme().tag('dim', label) +
      this.ctx.theme().tag('gaugeFill', escapeTags(sparkline(values, w, this.ctx.caps.unicode))) +
      escapeTags(rate)
    );
  }

  private activeLines(a: Active, width: number): string[] {
    const t = this.ctx.theme();
    const g = this.ctx.glyphs;
    const arrow = a.info.direction === 'down' ? g.down : g.up;
    const facts = ` ${formatRate(a.rateBps)} ETA ${formatEta(a.etaSec)} ${a.sources} src`;
    const head = `${arrow} ${fit(a.info.name, Math.max(4, width - facts.length - 2), g.ellipsis)}${facts}`;
    const frac = a.total > 0 ? a.bytes / a.total : 0;
    const pct = ` ${String(Math.floor(frac * 100)).padStart(3)}% ${formatBytes(a.bytes)}/${formatBytes(a.total)}`;
    const bar = gaugeBar(frac, Math.max(4, width - pct.length), this.ctx.caps.unicode);
    return [
      escapeTags(fit(head, width, '')),
      t.tag('gaugeFill', bar.filled) + t.tag('gaugeEmpty', bar.empty) + escapeTags(pct),
    ];
  }

  /** One line per peer we upload to: its choke state and why, bytes each way, requests waiting, files. */
  private uploadLines(width: number, rows: number): string[] {
    const t = this.ctx.theme();
    const g = this.ctx.glyphs;
    const choked = this.uploads.filter((p) => p.choked).length;
    const head = `${t.tag('heading', 'uploading to')} ${escapeTags(`${this.uploads.length} peer${this.uploads.length === 1 ? '' : 's'}, ${choked} choked`)}`;
    const role = { unchoked: 'ok', optimistic: 'accent', choked: 'warn' } as const;
    const shown = this.uploads.length < rows ? this.uploads : this.uploads.slice(0, rows - 2);
    const lines = shown.map((p) => {
      const facts = [
        `${g.up} ${formatBytes(p.sent)} ${g.down} ${formatBytes(p.received)}`,
        ...(p.waiting ? [`${p.waiting} waiting`] : []),
        ...(p.files.length ? [p.files.join(', ')] : []),
      ].join(' · ');
      const state = `${p.state}: ${p.why}`;
      const rest = fit(` ${facts}`, Math.max(0, width - p.peer.length - state.length - 2), g.ellipsis);
      return clipTagged(`${escapeTags(p.peer)} ${t.tag(role[p.state], escapeTags(state))}${escapeTags(rest)}`, width);
    });
    const more = this.uploads.length - shown.length;
    return [head, ...lines, ...(more ? [t.tag('dim', `${g.ellipsis} ${more} more`)] : [])];
  }

  private historyLine(f: Finished, width: number): string {
    const t = this.ctx.theme();
    const g = this.ctx.glyphs;
    const secs = Math.max(0.001, f.ms / 1000);
    const arrow = f.direction === 'down' ? g.down : g.up;
    const text = f.ok
      ? `${arrow} ${g.check} ${f.name} ${formatBytes(f.size)} in ${secs.toFixed(1)}s (${formatRate(f.size / secs)})`
      : `${arrow} ${g.cross} ${f.name}: ${f.error ?? 'failed'}`;
    return t.tag(f.ok ? 'ok' : 'error', escapeTags(fit(text, width, g.ellipsis)));
  }
}

/** Unchoked (most credit first), then the optimistic slot, then choked (most waiting first). */
function byServiceOrder(a: UploadPeer, b: UploadPeer): number {
  const rank = { unchoked: 0, optimistic: 1, choked: 2 } as const;
  return rank[a.state] - rank[b.state] || b.credit - a.credit || b.waiting - a.waiting || a.peer.localeCompare(b.peer);
}
