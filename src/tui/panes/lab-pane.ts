/**
 * The lab pane: the ring clock (virtual time, speed, paused), the network knobs, the ring
 * health indicator (one ordered ring? successors right? fingers right?) with the time since
 * the last disturbance or how long the ring took to recover from it, the lookup
 * path-length distribution of the last storm against ½·log₂N (chord) or N/2 (naive), and
 * beside it (below it on a narrow pane) the keys-per-node histogram of the running ring (per
 * host with virtual nodes, where the ring line reads "N hosts × V virtual nodes").
 */
import type { EventBus } from '../../bus/event-bus.js';
import type { Lab } from '../../sim/lab.js';
import type { Convergence, LabHealth, StormResult } from '../../bus/lab-events.js';
import { clipTagged, clipWithEllipsis, escapeTags, fit, taggedWidth } from '../format.js';
import { keyLoadChart } from '../key-load-chart.js';
import { LabKeySample } from '../lab-key-sample.js';
import type { KeyBinding } from '../keymap.js';
import { binHistogram, gaugeBar } from '../text-charts.js';
import { Pane, type PaneContext } from './pane.js';

/** Narrowest pane that shows the two charts side by side (else one above the other). */
const SIDE_BY_SIDE_WIDTH = 100;

export class LabPane extends Pane {
  readonly id = 'lab' as const;
  readonly title = 'Lab';
  private readonly keySample: LabKeySample;

  constructor(
    ctx: PaneContext,
    private readonly lab: Lab,
    readonly keys: readonly KeyBinding[],
  ) {
    super(ctx);
    this.keySample = new LabKeySample(lab);
  }

  /** Every lab event redraws the pane from the lab's state. */
  protected subscribe(bus: EventBus): void {
    for (const name of ['lab:health', 'lab:storm', 'lab:disturbed', 'lab:converged', 'lab:ring', 'lab:clock'] as const)
      this.on(bus, name, () => true);
  }

  protected override titleExtra(): string {
    const c = this.lab.clock;
    return c.paused ? 'PAUSED' : `${c.isVirtual ? 'virtual' : 'real'} time ×${fmtSpeed(c.speed)}`;
  }

  protected draw(width: number, height: number): string[] {
    const head = [this.clockLine(), this.healthLine(this.lab.lastHealth), ...this.recoveryLines()];
    const e = this.ctx.glyphs.ellipsis;
    return [
      ...head.map((l) => clipWithEllipsis(l, width, e)),
      ...this.charts(width, Math.max(0, height - head.length)),
    ];
  }

  /** The path-length chart and the keys-per-node histogram, side by side when the pane is wide. */
  private charts(width: number, rows: number): string[] {
    const keys = (w: number, r: number) =>
      keyLoadChart(this.keySample.load(), w, r, this.ctx.theme(), this.ctx.caps.unicode);
    if (width < SIDE_BY_SIDE_WIDTH) {
      const paths = this.chart(this.lab.lastStorm, width, Math.ceil(rows / 2));
      return [...paths, ...keys(width, rows - paths.length)].map((l) => clipTagged(l, width));
    }
    const lw = Math.floor((width - 2) / 2);
    const rw = width - lw - 2;
    const left = this.chart(this.lab.lastStorm, lw, rows);
    const right = keys(rw, rows);
    return Array.from({ length: Math.max(left.length, right.length) }, (_, i) => {
      const l = clipTagged(left[i] ?? '', lw);
      return `${l}${' '.repeat(Math.max(0, lw - taggedWidth(l)) + 2)}${clipTagged(right[i] ?? '', rw)}`;
    });
  }

  private clockLine(): string {
    const t = this.ctx.theme();
    const g = this.ctx.glyphs;
    const c = this.lab.clock;
    const info = this.lab.info();
    const state = c.paused ? t.tag('warn', `${g.paused} paused`) : t.tag('ok', `${g.running} ×${fmtSpeed(c.speed)}`);
    const build = info.building ? t.tag('warn', ` building ${info.building.done}/${info.building.of}`) : '';
    const net =
      info.transport === 'memory'
        ? `  lat ${info.latencyMs} ms  loss ${info.loss}${info.partitioned ? t.tag('error', `  split in ${info.partitioned}`) : ''}`
        : '  loopback TCP';
    const size = info.vnodes > 1 ? `${info.hosts} hosts × ${info.vnodes} virtual nodes,` : String(info.nodes);
    return `${t.tag('accent', 'clock')}  ${state} t=${(c.now() / 1000).toFixed(1)} s  ${t.tag('accent', 'ring')} ${size} ${info.routing} ${info.bits}-bit${build}${escapeTags(net)}`;
  }

  private healthLine(h: LabHealth | null): string {
    const t = this.ctx.theme();
    const g = this.ctx.glyphs;
    if (!h) return `${t.tag('accent', 'health')} ${t.tag('dim', 'not checked yet')}`;
    const mark = (ok: boolean) => (ok ? t.tag('ok', g.check) : t.tag('error', g.cross));
    const verdict = h.correct
      ? t.tag('ok', ' CORRECT ')
      : h.healthy
        ? t.tag('warn', ' RING OK ')
        : t.tag('error', ' BROKEN ');
    const rings = h.orderedRing ? 'one ring' : `${h.rings} ring${h.rings === 1 ? '' : 's'}, unordered`;
    const fingers =
      this.lab.routing === 'naive'
        ? 'no fingers'
        : `fingers ${h.checkedFingers - h.wrongFingers}/${h.checkedFingers}${h.fingerNodes < h.nodes ? ` (${h.fingerNodes} nodes sampled)` : ''}`;
    return `${t.tag('accent', 'health')} ${verdict} ${mark(h.orderedRing)} ${rings} ${mark(h.wrongSuccessors === 0)} succ ${h.nodes - h.wrongSuccessors}/${h.nodes} ${mark(h.wrongPredecessors === 0)} pred ${h.nodes - h.wrongPredecessors}/${h.nodes} ${mark(h.wrongFingers === 0)} ${fingers}`;
  }

  private recoveryLines(): string[] {
    const t = this.ctx.theme();
    const d = this.lab.recovering;
    const done = this.lab.convergences
      .filter((c) => !c.superseded)
      .slice(-2)
      .reverse();
    const lines = done.map((c) => `${t.tag('accent', 'healed')} ${escapeTags(describe(c))}`);
    if (d)
      lines.unshift(
        `${t.tag('warn', 'recovering')} from ${escapeTags(`${d.kind} (${d.detail})`)}: ${((this.lab.clock.now() - d.at) / 1000).toFixed(1)} s so far`,
      );
    return lines.length
      ? lines.slice(0, 2)
      : [t.tag('dim', 'no disturbance yet: a add, x crash, e leave, w split, r storm')];
  }

  /** Path lengths of the last storm, one bar per hop count (or per bin when there are many). */
  private chart(s: StormResult | null, width: number, rows: number): string[] {
    const t = this.ctx.theme();
    if (rows < 2) return [];
    if (!s) return [t.tag('dim', 'no lookup storm yet: press r (or :storm 1000)')];
    const heading = `${t.tag('heading', 'path length')} ${s.lookups} lookups  mean ${t.tag('accent', String(s.meanHops))}  ${escapeTags(s.expectedLabel)} = ${t.tag('accent', String(s.expectedHops))}  p99 ${s.p99Hops}  ${s.failed ? t.tag('error', `${s.failed} failed`) : '0 failed'}  ${s.wrongOwner ? t.tag('error', `${s.wrongOwner} wrong`) : '0 wrong'}`;
    const bins = binHistogram(s.histogram, rows - 1);
    const max = Math.max(1, ...bins.map((b) => b.count));
    const labelW = Math.max(...bins.map((b) => b.label.length));
    const countW = String(max).length;
    const barW = Math.max(4, width - labelW - countW - 16);
    const within = (b: { lo: number; hi: number }, x: number) => x >= b.lo - 0.5 && x < b.hi + 0.5;
    const lines = bins.map((b) => {
      const bar = gaugeBar(b.count / max, barW, this.ctx.caps.unicode);
      const marks = [
        within(b, s.expectedHops) ? escapeTags(`◂ ${s.expectedLabel}`) : '',
        within(b, s.meanHops) ? '◂ mean' : '',
      ]
        .filter(Boolean)
        .join(' ');
      return `${fit(b.label, labelW, '', 'right')} ${t.tag('gaugeFill', bar.filled)}${t.tag('gaugeEmpty', bar.empty)} ${fit(String(b.count), countW, '', 'right')} ${t.tag('accent', this.ctx.caps.unicode ? marks : marks.replace('◂', '<'))}`;
    });
    return [heading, ...lines];
  }
}

function describe(c: Convergence): string {
  const s = (ms: number | null) => (ms === null ? 'never' : `${(ms / 1000).toFixed(1)} s`);
  if (c.kind === 'heal' && c.detail.endsWith('rings to merge'))
    return `merge of ${c.detail.split(' ')[0]} rings: one ring after ${s(c.ringMs)}, fingers ok ${s(c.fullMs)} (wall ${s(c.ringWallMs)}/${s(c.fullWallMs)})`;
  return `${c.kind} ${c.detail.split(',')[0]}: ring ok ${s(c.ringMs)}, fingers ok ${s(c.fullMs)} (wall ${s(c.ringWallMs)}/${s(c.fullWallMs)})`;
}

function fmtSpeed(x: number): string {
  return x >= 1 ? String(Math.round(x * 100) / 100) : `1/${Math.round(1 / x)}`;
}
