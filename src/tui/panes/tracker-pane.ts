/** The tracker connection: state, address, peers online/offline, and the files shared with it. */
import type { EventBus } from '../../bus/event-bus.js';
import type { BusEvents } from '../../bus/events.js';
import { escapeTags, fit } from '../format.js';
import type { KeyBinding } from '../keymap.js';
import type { ThemeRole } from '../theme.js';
import { Pane, type PaneContext } from './pane.js';

type TrackerState = BusEvents['tracker:state'];

const STATE_ROLE: Record<TrackerState['state'], ThemeRole> = {
  off: 'dim',
  connecting: 'warn',
  connected: 'ok',
  disconnected: 'error',
};

export class TrackerPane extends Pane {
  readonly id = 'tracker' as const;
  readonly title = 'Tracker';
  readonly keys: readonly KeyBinding[] = [];
  private state: TrackerState = { state: 'off', address: null };
  private peers: BusEvents['tracker:peers'] | null = null;
  private shared: string[] = [];

  constructor(ctx: PaneContext) {
    super(ctx);
  }

  protected subscribe(bus: EventBus): void {
    this.on(bus, 'tracker:state', (s) => void (this.state = s));
    this.on(bus, 'tracker:peers', (p) => void (this.peers = p));
    this.on(bus, 'files:changed', (e) => {
      const shared = e.files
        .filter((f) => f.states.includes('shared'))
        .map((f) => f.name)
        .sort();
      if (shared.join('\0') === this.shared.join('\0')) return false;
      this.shared = shared;
    });
  }

  get trackerState(): TrackerState['state'] {
    return this.state.state;
  }

  protected override titleExtra(): string {
    return this.state.state;
  }

  protected draw(width: number, height: number): string[] {
    const t = this.ctx.theme();
    const g = this.ctx.glyphs;
    const s = this.state;
    const mark = s.state === 'connected' ? g.online : g.offline;
    const configured = s.address ?? this.ctx.setting('tracker');
    const lines = [
      `${t.tag('accent', 'state')}  ${t.tag(STATE_ROLE[s.state], `${mark} ${s.state === 'off' ? 'no tracker' : s.state}`)} ${escapeTags(configured ?? '')}`,
    ];
    if (s.error) lines.push(t.tag('error', escapeTags(fit(s.error, width, g.ellipsis))));
    if (s.state === 'off' && !configured)
      lines.push(t.tag('dim', fit('set one with --tracker H:P or , (settings)', width, g.ellipsis)));
    const p = this.peers;
    lines.push(
      `${t.tag('accent', 'peers')}  ${p ? `${t.tag('ok', `${g.online} ${p.online} online`)}  ${t.tag('dim', `${g.offline} ${p.offline} offline`)}` : t.tag('dim', 'unknown')}`,
    );
    const known = p?.peers ?? [];
    // Peers first (they go stale), then the shared files, each in what room is left.
    const room = Math.max(0, height - lines.length - 1 - Math.min(this.shared.length, 2));
    for (const peer of known.slice(0, room)) {
      const text = escapeTags(fit(`${peer.online ? g.online : g.offline} ${peer.address}`, width - 2, g.ellipsis));
      lines.push(`  ${t.tag(peer.online ? 'ok' : 'dim', text)}`);
    }
    lines.push(`${t.tag('accent', 'shared')} ${this.shared.length} file${this.shared.length === 1 ? '' : 's'}`);
    for (const name of this.shared.slice(0, Math.max(0, height - lines.length)))
      lines.push(`  ${escapeTags(fit(name, width - 2, g.ellipsis))}`);
    return lines;
  }
}
