/**
 * The ring map of the lab: every live node of the simulated ring on the circle, and over it
 * the selected node's view (its predecessor, successors, fingers and last lookup path, as the
 * node console's ring map draws them). Up to one node per cell of the circle every node gets
 * a marker; above that nodes are counted per arc and each arc draws a tick whose length shows
 * how many sit there, so a frame costs O(N) additions plus O(circle) drawing at any size.
 * j/k (and J/K everywhere) select the next node by id; every pane then shows that node.
 * With virtual nodes (`--vnodes V`) each host's V points are drawn alike, with the host's
 * letter (A, B, ...) as their marker, and its member 0 carries the host's label ("n3 ×4").
 */
import type { EventBus } from '../../bus/event-bus.js';
import { DotCanvas } from '../dot-canvas.js';
import { clipTagged, escapeTags, shortId } from '../format.js';
import type { KeyBinding } from '../keymap.js';
import type { RingLab } from '../ring-lab.js';
import type { PaneContext } from './pane.js';
import { type RingNode, RingMapPane } from './ring-map-pane.js';
import { hostOf } from '../../wire/address.js';

/** Host markers, by host number (cycling on rings of more hosts). */
const HOST_MARKS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Most hosts whose labels are drawn: beyond that they would cover one another. */
const MAX_HOST_LABELS = 16;

export class LabRingPane extends RingMapPane {
  override readonly title = 'Ring map';
  override readonly keys: readonly KeyBinding[];
  /** How the last frame drew the population (tests, benchmark). */
  lastMode: 'markers' | 'density' = 'markers';

  constructor(
    ctx: PaneContext,
    private readonly lab: RingLab,
  ) {
    super(ctx);
    this.selfLabel = 'sel';
    const jump = () => Math.max(1, Math.round(this.lab.members().nodes.length / 16));
    this.keys = [
      {
        keys: ['j', 'down', 'l', 'right'],
        label: 'j/k',
        help: 'select the next node clockwise (all panes follow)',
        hint: 'select',
        run: () => this.step(1),
      },
      { keys: ['k', 'up', 'h', 'left'], help: 'select the previous node', run: () => this.step(-1) },
      { keys: ['pagedown'], label: 'PgDn/PgUp', help: 'jump 1/16 of the ring', run: () => this.step(jump()) },
      { keys: ['pageup'], help: 'jump back 1/16 of the ring', run: () => this.step(-jump()) },
      {
        keys: ['enter'],
        help: 'look up a key from the selected node (draws its path)',
        hint: 'lookup',
        run: () => this.askLookup(),
      },
      {
        keys: ['f'],
        help: 'show/hide finger chords',
        hint: 'fingers',
        run: () => ((this.showFingers = !this.showFingers), this.markDirty()),
      },
      { keys: ['c'], help: 'clear the lookup path', run: () => ((this.lastLookup = null), this.markDirty()) },
    ];
  }

  protected override subscribe(bus: EventBus): void {
    super.subscribe(bus);
    // A membership change or another selection redraws the map.
    this.on(bus, 'lab:ring', () => true);
    this.on(bus, 'lab:selected', () => true);
  }

  protected override titleExtra(): string {
    const m = this.lab.members();
    const size = this.lab.vnodes > 1 ? `${m.hosts} hosts × ${this.lab.vnodes} vnodes` : `${m.nodes.length} nodes`;
    return `${size} ${this.ctx.glyphs.dot} ${this.lab.routing} ${this.lab.bits}-bit${this.lastMode === 'density' ? ` ${this.ctx.glyphs.dot} density` : ''}`;
  }

  protected override draw(width: number, height: number): string[] {
    const snap = this.ctx.node.snapshot();
    const nodes = this.knownNodes(snap);
    const infoRows = height >= 12 ? 3 : height >= 6 ? 1 : 0;
    const canvas = new DotCanvas(width, height - infoRows, this.ctx.caps.unicode);
    this.drawPopulation(canvas);
    this.drawRing(canvas, snap, nodes);
    const lines = canvas.toLines(this.ctx.theme());
    return infoRows ? lines.concat(this.labInfo(width, infoRows)) : lines;
  }

  /** Every live node: a marker each, or per-arc ticks when they outnumber the circle's cells. */
  private drawPopulation(c: DotCanvas): void {
    const frac = this.lab.view.positions();
    const cx = c.unitWidth / 2;
    const cy = c.unitHeight / 2;
    const r = Math.max(2, Math.min(cx - 10, cy - 2.5));
    const arcs = Math.max(16, Math.round(2 * Math.PI * r));
    const at = (f: number, rr: number) => {
      const a = 2 * Math.PI * f - Math.PI / 2;
      return { x: cx + rr * Math.cos(a), y: cy + rr * Math.sin(a) };
    };
    if (frac.length <= arcs) {
      this.lastMode = 'markers';
      const hosts = this.lab.vnodes > 1 ? this.lab.view.hosts() : null;
      const labels: (() => void)[] = [];
      for (const [i, f] of frac.entries()) {
        const p = at(f, r);
        const col = Math.floor(p.x);
        const row = Math.floor(p.y / 2);
        if (!hosts) {
          c.text(col, row, this.ctx.glyphs.node, 'node');
          continue;
        }
        const h = hosts.index[i]!;
        c.text(col, row, hostMark(h), 'node');
        if (!hosts.first[i] || hosts.names.length > MAX_HOST_LABELS) continue;
        const text = `${hosts.names[h]} ×${this.lab.vnodes}`;
        // Outside the circle, as the node console's labels.
        const labelCol =
          p.x >= cx ? (col + 2 + text.length <= c.cols ? col + 2 : col - 1 - text.length) : col - 1 - text.length;
        labels.push(() => c.text(Math.max(0, labelCol), row, text, 'node'));
      }
      for (const l of labels) l();
      return;
    }
    this.lastMode = 'density';
    const counts = new Uint32Array(arcs);
    for (const f of frac) counts[Math.min(arcs - 1, Math.floor(f * arcs))]!++;
    const max = Math.max(1, ...counts);
    for (let i = 0; i < arcs; i++) {
      if (!counts[i]) continue;
      const f = (i + 0.5) / arcs;
      const inner = at(f, r - 0.6);
      const outer = at(f, r - 0.6 - 2.5 * (counts[i]! / max));
      c.line(inner.x, inner.y, outer.x, outer.y, 'node');
    }
  }

  /** With virtual nodes, a node the selected one knows keeps its host's letter. */
  protected override plainMarker(n: RingNode): string {
    if (this.lab.vnodes === 1) return super.plainMarker(n);
    const h = this.lab.view.hosts().numbers.get(hostOf(n.address));
    return h === undefined ? super.plainMarker(n) : hostMark(h);
  }

  private labInfo(width: number, rows: number): string[] {
    const t = this.ctx.theme();
    const g = this.ctx.glyphs;
    const m = this.lab.members();
    const sel = this.ctx.node;
    const i = (m.nodes as readonly object[]).indexOf(sel);
    const selLine = `${t.tag('selected', escapeTags(` #${i < 0 ? '?' : i} ${shortId(sel.self.id.toString(16), 12, g.ellipsis)} `))} ${escapeTags(sel.self.address)} ${t.tag('dim', `of ${m.nodes.length} ${g.dot} j/k J/K select ${g.dot} Enter look up`)}`;
    const legend = [
      t.tag('self', g.self) + ' selected',
      t.tag('pred', g.pred) + ' pred',
      t.tag('succ', g.succ) + ' succ',
      t.tag('succList', g.succList) + ' succ list',
      this.lastMode === 'density'
        ? `${t.tag('node', '|')} nodes per arc`
        : this.lab.vnodes > 1
          ? `${t.tag('node', 'A B')} host (${this.lab.vnodes} points each)`
          : `${t.tag('node', g.node)} node`,
      t.tag('finger', g.fingerLine) + ' finger',
      t.tag('path', '1 2 3') + ' lookup',
    ].join('  ');
    const l = this.lastLookup;
    const lookupLine = l
      ? `${t.tag('path', 'lookup')} ${escapeTags(shortId(l.key, 12, g.ellipsis))} ${g.arrow} ${escapeTags(l.owner.address)}: ${l.hops} hop${l.hops === 1 ? '' : 's'}`
      : t.tag('dim', 'no lookup from this node yet');
    const all = rows >= 3 ? [legend, selLine, lookupLine] : [selLine];
    return all.map((s) => clipTagged(s, width));
  }

  private step(delta: number): void {
    try {
      this.lab.select({ delta });
    } catch (e) {
      this.ctx.say((e as Error).message, 'error');
    }
    this.markDirty();
  }
}

function hostMark(host: number): string {
  return HOST_MARKS[host % HOST_MARKS.length]!;
}
