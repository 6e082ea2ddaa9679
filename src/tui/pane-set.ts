/**
 * The panes on screen: the node console's seven, or the lab's five (the lab brings its own
 * ring map and lab pane). They listen to the shown node's bus, and in the lab to the lab's too.
 */
import type { EventBus } from '../bus/event-bus.js';
import type { ConsoleLab } from './console-api.js';
import { LAB_PANE_IDS, PANE_IDS, type PaneId } from './layout.js';
import { FilesPane } from './panes/files-pane.js';
import { FingerTablePane } from './panes/finger-table-pane.js';
import { type LogLine, LogPane } from './panes/log-pane.js';
import type { Pane, PaneContext } from './panes/pane.js';
import { RingMapPane } from './panes/ring-map-pane.js';
import { StabilizationPane } from './panes/stabilization-pane.js';
import { TrackerPane } from './panes/tracker-pane.js';
import { TransfersPane } from './panes/transfers-pane.js';

export class PaneSet {
  /** Only the ids in `order` are present: a node console has no `lab`, the lab no files, transfers, tracker. */
  readonly byId: Readonly<Record<PaneId, Pane>>;
  /** Screen order: pane N is the Nth (number keys, tab bar). */
  readonly order: readonly PaneId[];
  readonly ringMap: RingMapPane;
  readonly log: LogPane;
  readonly transfers: TransfersPane;

  constructor(ctx: PaneContext, lab?: ConsoleLab, initialLog?: readonly LogLine[]) {
    const own = lab?.panes(ctx);
    this.order = lab ? LAB_PANE_IDS : PANE_IDS;
    this.ringMap = own?.ring ?? new RingMapPane(ctx);
    this.log = new LogPane(ctx, initialLog);
    this.transfers = new TransfersPane(ctx);
    const common = {
      ring: this.ringMap,
      fingers: new FingerTablePane(ctx),
      stabilize: new StabilizationPane(ctx),
      log: this.log,
    };
    const set = own
      ? { ...common, lab: own.lab }
      : { ...common, files: new FilesPane(ctx), transfers: this.transfers, tracker: new TrackerPane(ctx) };
    this.byId = set as Partial<Record<PaneId, Pane>> as Record<PaneId, Pane>;
  }

  get(id: PaneId): Pane {
    return this.byId[id]!;
  }

  has(id: PaneId): boolean {
    return Boolean(this.byId[id]);
  }

  all(): Pane[] {
    return Object.values(this.byId);
  }

  attach(bus: EventBus): void {
    for (const p of this.all()) p.attach(bus);
  }

  detach(): void {
    for (const p of this.all()) p.detach();
  }

  /** The console shows another node now: every pane forgets the old one's state. */
  nodeChanged(): void {
    for (const p of this.all()) p.nodeChanged();
  }

  markAllDirty(): void {
    for (const p of this.all()) p.dirty = true;
  }
}
