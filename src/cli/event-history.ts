/**
 * The daemon's memory of recent bus events, replayed to a console that attaches so it looks
 * as if it had been open all along: the last log lines, stabilization rounds and lookups, the
 * recent transfers (started, latest progress, finished), and the latest value of each service
 * state (tracker, files, store keys). Bounded: old entries fall off.
 */
import type { BusEventName } from '../bus/events.js';
import type { RecordedEvent } from './control-protocol.js';

interface Entry extends RecordedEvent {
  readonly seq: number;
}

/** How many of each kind are kept. */
const LIMITS: Partial<Record<BusEventName, number>> = {
  'log:line': 1000,
  'stabilize:round': 300,
  'lookup:done': 50,
  'transfer:started': 200,
  'transfer:finished': 200,
};

/** Only the latest of these matters. */
const LATEST: readonly BusEventName[] = [
  'tracker:state',
  'tracker:peers',
  'files:changed',
  'upload:peers',
  'store:keys-changed',
  'node:listening',
  'node:joined',
];

export class EventHistory {
  private seq = 0;
  private readonly lists = new Map<BusEventName, Entry[]>();
  private readonly latest = new Map<BusEventName, Entry>();
  /** The latest progress of each transfer still running. */
  private readonly progress = new Map<string, Entry>();

  record(name: BusEventName, payload: unknown): void {
    const entry = { seq: ++this.seq, name, payload };
    if (name === 'transfer:progress') return void this.progress.set((payload as { id: string }).id, entry);
    if (name === 'transfer:finished') this.progress.delete((payload as { id: string }).id);
    if (LATEST.includes(name)) return void this.latest.set(name, entry);
    const limit = LIMITS[name];
    if (limit === undefined) return;
    let list = this.lists.get(name);
    if (!list) this.lists.set(name, (list = []));
    list.push(entry);
    if (list.length > limit) list.splice(0, list.length - limit);
  }

  /** Everything kept, oldest first. */
  replay(): RecordedEvent[] {
    const all = [...[...this.lists.values()].flat(), ...this.latest.values(), ...this.progress.values()];
    return all.sort((a, b) => a.seq - b.seq).map(({ name, payload }) => ({ name, payload }));
  }
}
