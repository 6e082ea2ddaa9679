/**
 * The two bottom lines. The first: id, address, predecessor/successor, routing, keys held,
 * ring size, tracker state, stabilization timer. The second: the `:` or `/` prompt while one is
 * open, else a short message (command results), else key hints for the focused pane.
 */
import * as blessed from '../blessed-parts.js';
import type { Widgets } from 'blessed';
import type { EventBus } from '../../bus/event-bus.js';
import type { BusEvents } from '../../bus/events.js';
import { clipTagged, escapeTags, shortId, taggedWidth } from '../format.js';
import { estimateRingSize } from '../ring-estimate.js';
import { blessedStyle, type Theme } from '../theme.js';
import type { PaneContext } from './pane.js';

export interface BottomLineSource {
  /** A tagged line replacing the hints (prompt or message), or null for the hints. */
  override(): string | null;
  hints(): string;
}

export class StatusBar {
  readonly box: Widgets.BoxElement;
  dirty = true;
  private keys: BusEvents['store:keys-changed'] | null = null;
  private tracker: BusEvents['tracker:state']['state'] = 'off';
  private offs: (() => void)[] = [];
  /** What the box was last given (blessed re-parses on every set). */
  private shown = '';
  private shownTheme: Theme | null = null;

  constructor(
    private readonly ctx: PaneContext,
    private readonly bottom: BottomLineSource,
  ) {
    this.box = blessed.box({ tags: true, wrap: false, height: 2 });
  }

  attach(bus: EventBus): () => void {
    const mark = () => this.markDirty();
    this.offs.push(bus.on('store:keys-changed', (k) => ((this.keys = k), mark())));
    this.offs.push(bus.on('tracker:state', (s) => ((this.tracker = s.state), mark())));
    for (const name of [
      'ring:predecessor-changed',
      'ring:successor-changed',
      'ring:successors-changed',
      'node:joined',
      'node:left',
      'node:listening',
    ] as const) {
      this.offs.push(bus.on(name, mark));
    }
    return () => this.detach();
  }

  detach(): void {
    for (const off of this.offs) off();
    this.offs = [];
  }

  markDirty(): void {
    this.dirty = true;
    this.ctx.requestFrame();
  }

  render(): void {
    const width = typeof this.box.width === 'number' ? this.box.width : 80;
    const t = this.ctx.theme();
    const top = clipTagged(this.statusLine(width), width);
    const pad = ' '.repeat(Math.max(0, width - taggedWidth(top)));
    const second = this.bottom.override() ?? this.bottom.hints();
    const content = top + t.tag('status', pad) + '\n' + clipTagged(second, width);
    this.dirty = false;
    // blessed re-parses text on every set, changed or not.
    if (t !== this.shownTheme) this.box.style = blessedStyle(t, 'text');
    if (content !== this.shown) this.box.setContent(content);
    [this.shownTheme, this.shown] = [t, content];
  }

  /** Items in order of importance; the least important go first when the line is too narrow. */
  private statusLine(width: number): string {
    const t = this.ctx.theme();
    const g = this.ctx.glyphs;
    const node = this.ctx.node;
    const s = node.snapshot({ fingers: false });
    const e = g.ellipsis;
    const item = (k: string, v: string) => t.tag('statusKey', ` ${k} `) + t.tag('status', escapeTags(`${v} `));
    const succ = s.successors[0];
    const size = estimateRingSize(s);
    const keys = this.keys ? `${this.keys.primary}${this.keys.replica ? `+${this.keys.replica}r` : ''}` : '-';
    const stab = node.stabilization.isPaused() ? `${g.paused} paused` : `${node.stabilization.intervalMs()}ms`;
    const items = [
      t.tag('statusKey', ` ${g.self} ${escapeTags(shortId(s.id, 10, e))} `) +
        t.tag('status', escapeTags(`${s.address} `)),
      item('pred', s.predecessor ? shortId(s.predecessor.id, 8, e) : 'none'),
      item('succ', !s.inRing ? 'none' : succ && succ.address !== s.address ? shortId(succ.id, 8, e) : 'me'),
      item('ring', s.inRing ? `${size.exact ? '' : this.ctx.caps.unicode ? '≈' : '~'}${size.n}` : 'not joined'),
      item('tracker', this.tracker),
      item(s.routing, `${s.bits}-bit`),
      // Until a store reports its keys there is nothing to say.
      this.keys ? item('keys', keys) : '',
      item('stab', stab),
    ].filter(Boolean);
    while (items.length > 1 && taggedWidth(items.join('')) > width) items.pop();
    return items.join('');
  }
}
