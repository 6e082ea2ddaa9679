/**
 * The ring drawn as a circle: this node, its predecessor, successor and successor list, every
 * other known node placed by id, fingers as chords from this node, and the last lookup's path
 * hop by hop (numbered). j/k walk the known nodes; the selected one's id and address show below.
 * A process running virtual nodes (`--vnodes V`) is one host with V points: the other members
 * are drawn like this node, and its label says "me ×V".
 */
import type { EventBus } from '../../bus/event-bus.js';
import type { LookupResult } from '../../bus/events.js';
import type { NodeRefJson } from '../../core/node-ref.js';
import type { NodeSnapshot } from '../../dht/chord-node.js';
import { DotCanvas } from '../dot-canvas.js';
import { clipTagged, escapeTags, shortId } from '../format.js';
import type { KeyBinding } from '../keymap.js';
import type { ThemeRole } from '../theme.js';
import { Pane, type PaneContext } from './pane.js';
import { hostOf } from '../../wire/address.js';

/** Nodes seen in lookups, kept so the map shows more of the ring than the routing state. */
const MAX_EXTRA_NODES = 256;

export interface RingNode extends NodeRefJson {
  readonly roles: readonly ('self' | 'host' | 'pred' | 'succ' | 'succList' | 'finger' | 'seen')[];
}

export class RingMapPane extends Pane {
  readonly id = 'ring' as const;
  readonly title = 'Ring map';
  readonly keys: readonly KeyBinding[];
  protected lastLookup: LookupResult | null = null;
  private readonly seen = new Map<string, NodeRefJson>();
  private selected: string | null = null;
  protected showFingers = true;
  /** The label of the node the pane is drawn for. */
  protected selfLabel = 'me';

  constructor(ctx: PaneContext) {
    super(ctx);
    this.keys = [
      {
        keys: ['j', 'down', 'l', 'right'],
        label: 'j/k',
        help: 'select the next node clockwise',
        hint: 'select',
        run: () => this.select(1),
      },
      { keys: ['k', 'up', 'h', 'left'], help: 'select the previous node', run: () => this.select(-1) },
      { keys: ['enter'], help: 'look up a key (draws its path)', hint: 'lookup', run: () => this.askLookup() },
      {
        keys: ['f'],
        help: 'show/hide finger chords',
        hint: 'fingers',
        run: () => ((this.showFingers = !this.showFingers), this.markDirty()),
      },
      { keys: ['c'], help: 'clear the lookup path', run: () => ((this.lastLookup = null), this.markDirty()) },
    ];
  }

  protected subscribe(bus: EventBus): void {
    this.redrawOn(bus, [
      'ring:predecessor-changed',
      'ring:successor-changed',
      'ring:successors-changed',
      'finger:updated',
      'node:joined',
      'node:left',
      'node:listening',
    ]);
    this.on(bus, 'lookup:done', (r) => {
      this.lastLookup = r;
      for (const n of [...r.path, r.owner]) this.remember(n);
    });
    // Rounds are frequent: redraw only when they reveal a node not seen before.
    this.on(bus, 'stabilize:round', (o) => (o.successorPredecessor ? this.remember(o.successorPredecessor) : false));
  }

  /** Every node this pane knows, sorted by id, with what it is to this node. */
  knownNodes(snap: NodeSnapshot = this.ctx.node.snapshot()): RingNode[] {
    const roles = new Map<string, Set<RingNode['roles'][number]>>();
    const refs = new Map<string, NodeRefJson>();
    const add = (n: NodeRefJson | null, role: RingNode['roles'][number]) => {
      if (!n) return;
      refs.set(n.address, n);
      let s = roles.get(n.address);
      if (!s) roles.set(n.address, (s = new Set()));
      s.add(role);
    };
    add({ id: snap.id, address: snap.address }, 'self');
    add(snap.predecessor, 'pred');
    for (const [i, n] of snap.successors.entries()) add(n, i === 0 ? 'succ' : 'succList');
    for (const f of snap.fingers) add(f.node, 'finger');
    for (const n of this.seen.values()) add(n, 'seen');
    for (const n of this.ctx.node.processMembers?.() ?? []) if (n.address !== snap.address) add(n, 'host');
    const host = hostOf(snap.address);
    for (const n of refs.values()) if (n.address !== snap.address && hostOf(n.address) === host) add(n, 'host');
    return [...refs.values()]
      .map((n) => ({ ...n, roles: [...roles.get(n.address)!] }))
      .sort((a, b) => cmpHex(a.id, b.id));
  }

  protected override titleExtra(): string {
    return `${this.ctx.node.routing} ${this.ctx.node.bits}-bit`;
  }

  protected draw(width: number, height: number): string[] {
    const snap = this.ctx.node.snapshot();
    const nodes = this.knownNodes(snap);
    const infoRows = height >= 12 ? 3 : height >= 6 ? 1 : 0;
    const canvas = new DotCanvas(width, height - infoRows, this.ctx.caps.unicode);
    this.drawRing(canvas, snap, nodes);
    const lines = canvas.toLines(this.ctx.theme());
    return infoRows ? lines.concat(this.infoLines(nodes, width, infoRows)) : lines;
  }

  protected drawRing(c: DotCanvas, snap: NodeSnapshot, nodes: RingNode[]): void {
    const cx = c.unitWidth / 2;
    const cy = c.unitHeight / 2;
    // Leave room for labels beside the circle and one row above and below it.
    const r = Math.max(2, Math.min(cx - 10, cy - 2.5));
    const pos = (id: string) => placeOnRing(id, snap.bits, cx, cy, r);
    c.circle(cx, cy, r, 'ring');
    const me = pos(snap.id);
    if (this.showFingers) {
      for (const n of nodes)
        if (n.roles.includes('finger') && n.address !== snap.address)
          c.line(me.x, me.y, pos(n.id).x, pos(n.id).y, 'finger');
    }
    const path = this.lookupPath();
    for (let i = 1; i < path.length; i++)
      c.line(pos(path[i - 1]!.id).x, pos(path[i - 1]!.id).y, pos(path[i]!.id).x, pos(path[i]!.id).y, 'path');
    const members = nodes.filter((n) => n.roles.includes('host')).length + 1;
    const labels = nodes.map((n) => this.drawMarker(c, n, pos(n.id), cx, members));
    for (const [i, n] of path.entries()) if (i > 0) this.drawHop(c, pos(n.id), i);
    // Labels go on last, so a neighbour's marker or a hop number never cuts one; the selected
    // node's and this node's go on after the rest.
    const first = (n: RingNode) => (n.address === this.selected || n.roles.includes('self') ? 1 : 0);
    const order = nodes.map((_, i) => i).sort((a, b) => first(nodes[a]!) - first(nodes[b]!));
    for (const i of order) labels[i]?.();
  }

  /** The hops of the last lookup, ending at the owner. */
  private lookupPath(): NodeRefJson[] {
    const l = this.lastLookup;
    if (!l) return [];
    const path = [...l.path];
    if (path[path.length - 1]?.address !== l.owner.address) path.push(l.owner);
    return path;
  }

  /**
   * Draws the node's marker; returns what draws its label, if it has one. `members`: points of
   * this node's process on the ring (its virtual nodes), drawn alike.
   */
  private drawMarker(
    c: DotCanvas,
    n: RingNode,
    p: { x: number; y: number },
    cx: number,
    members: number,
  ): (() => void) | null {
    const g = this.ctx.glyphs;
    const [glyph, role, label] = n.roles.includes('self')
      ? [g.self, 'self', members > 1 ? `${this.selfLabel} ×${members}` : this.selfLabel]
      : n.roles.includes('host')
        ? [g.self, 'self', '']
        : n.roles.includes('succ')
          ? [g.succ, 'succ', 'succ']
          : n.roles.includes('pred')
            ? [g.pred, 'pred', 'pred']
            : n.roles.includes('succList')
              ? [g.succList, 'succList', '']
              : [this.plainMarker(n), 'node', ''];
    const selected = n.address === this.selected;
    const col = Math.floor(p.x);
    const row = Math.floor(p.y / 2);
    c.text(col, row, glyph, selected ? 'selected' : (role as ThemeRole));
    const text = selected || label ? `${label ? label + ' ' : ''}${shortId(n.id, 6, g.ellipsis)}` : '';
    if (!text) return null;
    const right = col + 2;
    const left = col - 1 - text.length;
    // Outside the circle when it fits on the canvas, else inside it.
    const at = p.x >= cx ? (right + text.length <= c.cols ? right : left) : left >= 0 ? left : right;
    return () => c.text(at, row, text, selected ? 'selected' : (role as ThemeRole));
  }

  /** The marker of a node with no role to this one (the lab marks each host's points alike). */
  protected plainMarker(_n: RingNode): string {
    return this.ctx.glyphs.node;
  }

  private drawHop(c: DotCanvas, p: { x: number; y: number }, hop: number): void {
    c.text(Math.floor(p.x), Math.floor(p.y / 2), hop < 10 ? String(hop) : '+', 'path');
  }

  private infoLines(nodes: RingNode[], width: number, rows: number): string[] {
    const t = this.ctx.theme();
    const g = this.ctx.glyphs;
    const legend = [
      t.tag('self', g.self) + ' me',
      t.tag('pred', g.pred) + ' pred',
      t.tag('succ', g.succ) + ' succ',
      t.tag('succList', g.succList) + ' succ list',
      t.tag('node', g.node) + ' known',
      t.tag('finger', g.fingerLine) + ' finger',
      t.tag('path', '1 2 3') + ' lookup',
    ].join('  ');
    const sel = nodes.find((n) => n.address === this.selected);
    const selLine = sel
      ? `${t.tag('selected', escapeTags(` ${sel.id} `))} ${escapeTags(sel.address)}  ${t.tag('dim', escapeTags(describeRoles(sel.roles)))}`
      : t.tag(
          'dim',
          `${nodes.length} known node${nodes.length === 1 ? '' : 's'} ${g.dot} j/k select ${g.dot} Enter look up`,
        );
    const l = this.lastLookup;
    const lookupLine = l
      ? `${t.tag('path', 'lookup')} ${escapeTags(shortId(l.key, 12, g.ellipsis))} ${g.arrow} ${escapeTags(shortId(l.owner.id, 12, g.ellipsis))} ${escapeTags(l.owner.address)}: ${l.hops} hop${l.hops === 1 ? '' : 's'}, ${Math.round(l.ms)} ms`
      : t.tag('dim', 'no lookup yet');
    const all = rows >= 3 ? [legend, selLine, lookupLine] : [sel ? selLine : lookupLine];
    return all.map((s) => clipTagged(s, width));
  }

  private select(delta: number): void {
    const nodes = this.knownNodes();
    const i = nodes.findIndex((n) => n.address === this.selected);
    const next =
      i < 0
        ? delta > 0
          ? nodes.findIndex((n) => n.roles.includes('self'))
          : nodes.length - 1
        : (i + delta + nodes.length) % nodes.length;
    this.selected = nodes[Math.max(0, next)]?.address ?? null;
    this.markDirty();
  }

  /** The address of the selected node (tests, and the status of the pane). */
  get selectedAddress(): string | null {
    return this.selected;
  }

  override nodeChanged(): void {
    this.lastLookup = null;
    this.seen.clear();
    this.selected = null;
    super.nodeChanged();
  }

  override back(): boolean {
    if (this.selected === null) return false;
    this.selected = null;
    this.markDirty();
    return true;
  }

  protected askLookup(): void {
    this.ctx.ask('lookup key: ', '', (key) => {
      if (key?.trim()) void this.ctx.runCommand(`lookup ${key.trim()}`);
    });
  }

  private remember(n: NodeRefJson): boolean {
    if (this.seen.has(n.address)) return false;
    if (this.seen.size >= MAX_EXTRA_NODES) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(n.address, n);
    return true;
  }
}

/** Angle 0 is the top of the circle; ids grow clockwise. */
export function placeOnRing(idHex: string, bits: number, cx: number, cy: number, r: number): { x: number; y: number } {
  const frac = Number((BigInt('0x' + idHex) << 24n) >> BigInt(bits)) / 2 ** 24;
  const a = 2 * Math.PI * frac - Math.PI / 2;
  return { x: cx + r * Math.cos(a), y: cy + r * Math.sin(a) };
}

function cmpHex(a: string, b: string): number {
  const x = BigInt('0x' + a);
  const y = BigInt('0x' + b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function describeRoles(roles: RingNode['roles']): string {
  const names: Record<RingNode['roles'][number], string> = {
    self: 'this node',
    host: 'another virtual node of this process',
    pred: 'predecessor',
    succ: 'successor',
    succList: 'successor list',
    finger: 'finger',
    seen: 'seen in a lookup',
  };
  return roles.map((r) => names[r]).join(', ');
}
