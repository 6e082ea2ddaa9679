/** A typed event emitter over the BusEvents map. Listeners must not throw; a throw is logged, not spread. */
import type { BusEventName, BusEvents } from './events.js';

type Listener<K extends BusEventName> = (payload: BusEvents[K]) => void;
type AnyListener = <K extends BusEventName>(name: K, payload: BusEvents[K]) => void;

export class EventBus {
  private readonly listeners = new Map<BusEventName, Set<Listener<never>>>();
  private readonly anyListeners = new Set<AnyListener>();

  on<K extends BusEventName>(name: K, fn: Listener<K>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(fn as Listener<never>);
    return () => set!.delete(fn as Listener<never>);
  }

  /** Every event, with its name (for recorders and the headless event stream). */
  onAny(fn: AnyListener): () => void {
    this.anyListeners.add(fn);
    return () => this.anyListeners.delete(fn);
  }

  emit<K extends BusEventName>(name: K, payload: BusEvents[K]): void {
    const set = this.listeners.get(name);
    if (set) for (const fn of set) guard(() => (fn as Listener<K>)(payload));
    for (const fn of this.anyListeners) guard(() => fn(name, payload));
  }

  /** True when someone listens (lets hot paths skip building payloads). */
  wants(name: BusEventName): boolean {
    return (this.listeners.get(name)?.size ?? 0) > 0 || this.anyListeners.size > 0;
  }
}

function guard(f: () => void): void {
  try {
    f();
  } catch (e) {
    process.emitWarning(`bus listener failed: ${(e as Error).stack ?? e}`);
  }
}
