/**
 * A daemon's node as an attached console sees it: a ConsoleNode whose state comes from the
 * control socket (the snapshot pushed with every event that changes it) and whose
 * stabilization controls are sent back over the socket. Pushed events are re-emitted on a
 * local bus the panes listen to.
 */
import { EventBus } from '../bus/event-bus.js';
import type { NodeRef } from '../core/node-ref.js';
import type { NodeSnapshot } from '../dht/chord-node.js';
import type { StabilizationControls } from '../dht/stabilization-controls.js';
import { realClock } from '../io/real-clock.js';
import type { ConsoleNode } from '../tui/console-node.js';
import type { ControlClient } from './control-client.js';
import type { ControlMessage, NodeState, RecordedEvent } from './control-protocol.js';

export class RemoteNode implements ConsoleNode {
  readonly bus = new EventBus();
  readonly clock = realClock;
  readonly bits: number;
  readonly routing: NodeSnapshot['routing'];
  readonly stabilization: StabilizationControls;
  private state: NodeState;
  private selfRef: NodeRef;
  private waiting: ControlMessage[] | null = [];

  constructor(
    private readonly client: ControlClient,
    initial: NodeState,
  ) {
    this.state = initial;
    this.bits = initial.snapshot.bits;
    this.routing = initial.snapshot.routing;
    this.selfRef = refOf(initial.snapshot);
    this.stabilization = this.controls();
  }

  get self(): NodeRef {
    return this.selfRef;
  }

  snapshot(opts: { fingers?: boolean } = {}): NodeSnapshot {
    const s = this.state.snapshot;
    return { ...s, successors: [...s.successors], fingers: opts.fingers === false ? [] : [...s.fingers] };
  }

  /**
   * Applies one pushed message: the new state first, then the event (the panes read the state
   * when they hear it). Until `replay` runs (the panes are not listening yet) events wait.
   */
  apply(m: ControlMessage): void {
    if (this.waiting) return void this.waiting.push(m);
    if (m.state) this.setState(m.state);
    if (m.event) this.bus.emit(m.event, m.payload as never);
  }

  /** Replays recent events, then what came meanwhile, so the panes look as if they had been open all along. */
  replay(history: readonly RecordedEvent[]): void {
    for (const e of history) this.bus.emit(e.name, e.payload as never);
    const waiting = this.waiting ?? [];
    this.waiting = null;
    for (const m of waiting) this.apply(m);
  }

  private setState(s: NodeState): void {
    if (s.snapshot.address !== this.state.snapshot.address) this.selfRef = refOf(s.snapshot);
    this.state = s;
  }

  private controls(): StabilizationControls {
    const send = (action: 'pause' | 'resume' | 'step' | 'interval', ms?: number) =>
      this.client.stabilization(action, ms).then((s) => this.setState(s));
    const fail = (what: string) => (e: Error) =>
      this.bus.emit('log:line', { at: Date.now(), level: 'error', topic: 'console', message: `${what}: ${e.message}` });
    // The local copy changes at once (the pane redraws on the key); the daemon's answer then replaces it.
    const local = (patch: Partial<NodeState['stabilization']>) =>
      (this.state = { ...this.state, stabilization: { ...this.state.stabilization, ...patch } });
    return {
      pause: () => (local({ paused: true }), void send('pause').catch(fail('pausing stabilization'))),
      resume: () => (local({ paused: false }), void send('resume').catch(fail('resuming stabilization'))),
      step: () => send('step'),
      setIntervalMs: (ms) => (local({ intervalMs: ms }), void send('interval', ms).catch(fail('setting the interval'))),
      isPaused: () => this.state.stabilization.paused,
      intervalMs: () => this.state.stabilization.intervalMs,
      effectiveMs: () => this.state.stabilization.effectiveMs,
    };
  }
}

function refOf(s: NodeSnapshot): NodeRef {
  return { id: BigInt(`0x${s.id}`), address: s.address };
}
