/**
 * Plays a recording (replay-model.ts) into the console: the shown node is a stand-in whose
 * bus gets the recorded events again, in order, so every pane rebuilds what it showed then.
 * Forward is applying more lines; back in time is a fresh stand-in given the lines up to the
 * moment wanted (the panes start over on its bus). Play, pause, speed, one stabilization
 * round forward or back, jump to a time, and the next recorded node (a lab recording).
 */
import { EventBus } from '../bus/event-bus.js';
import type { EventLine } from '../bus/recording.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { NodeSnapshot } from '../dht/node-snapshot.js';
import type { StabilizationControls } from '../dht/stabilization-controls.js';
import { fingerStart } from '../core/ring-math.js';
import type { ConsoleNode } from './console-node.js';
import { NodeModel, type Recording } from './replay-model.js';

/** Real ms between play steps. */
const PLAY_TICK_MS = 50;

export class ReplayPlayer {
  /** Lines applied so far. */
  index = 0;
  /** The replayed moment (the recorded node's clock). */
  now = 0;
  speed = 1;
  private model: NodeModel | null = null;
  private timer: NodeJS.Timeout | null = null;
  node: ReplayNode;

  constructor(
    readonly rec: Recording,
    public address: string,
    /** Called when the stand-in is replaced (going back): the console shows the new one. */
    private readonly replaced: (node: ReplayNode) => void = () => undefined,
  ) {
    this.node = new ReplayNode(this);
    this.now = rec.nodes.get(address)?.t ?? rec.lines[0]?.t ?? 0;
    this.applyUntil(() => this.model !== null);
  }

  get playing(): boolean {
    return this.timer !== null;
  }

  /** The first moment recorded. */
  get start(): number {
    return this.rec.lines[0]?.t ?? 0;
  }

  get end(): number {
    return this.rec.lines.at(-1)?.t ?? 0;
  }

  /** The state shown now, as a node snapshot. */
  snapshot(withFingers = true): NodeSnapshot {
    const info = this.rec.nodes.get(this.address)!.node;
    const s = this.model?.snapshot() ?? info.state;
    const self = BigInt(`0x${info.id}`);
    return {
      id: info.id,
      address: info.address,
      routing: info.routing,
      bits: info.bits,
      inRing: s.inRing,
      predecessor: s.predecessor,
      successors: [...s.successors],
      fingers: withFingers
        ? s.fingers.map((f) => ({ ...f, start: fingerStart(self, f.index, info.bits).toString(16) }))
        : [],
    };
  }

  play(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.forwardTo(this.now + PLAY_TICK_MS * this.speed);
      if (this.index >= this.rec.lines.length) this.pause();
    }, PLAY_TICK_MS);
    this.timer.unref();
  }

  pause(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One stabilization round (or notify) of the shown node forward (+1) or back (-1). */
  stepRound(direction: 1 | -1): void {
    if (direction === 1) return void this.applyUntil((l) => this.isRound(l));
    const rounds: number[] = [];
    for (let i = 0; i < this.index; i++) if (this.isRound(this.rec.lines[i]!)) rounds.push(i);
    // Back to just after the round before the last one applied (or the start).
    this.rewindTo(rounds.length >= 2 ? rounds.at(-2)! + 1 : 0);
  }

  /** Jumps to the recorded moment `t` (ms on the recorded clock). */
  jumpTo(t: number): void {
    if (t < this.now) this.rewindTo(0);
    this.forwardTo(t);
  }

  /** The next recorded node (a lab recording holds many), shown from the start. */
  nextNode(): string {
    const all = [...this.rec.nodes.keys()];
    this.address = all[(all.indexOf(this.address) + 1) % all.length]!;
    this.rewindTo(0);
    return this.address;
  }

  close(): void {
    this.pause();
  }

  private forwardTo(t: number): void {
    while (this.index < this.rec.lines.length && this.rec.lines[this.index]!.t <= t) this.applyLine();
    this.now = Math.max(this.now, Math.min(t, this.end));
  }

  /** Applies lines until one satisfies `stop` (that one included) or the recording ends. */
  private applyUntil(stop: (l: EventLine | { node: unknown }) => boolean): void {
    while (this.index < this.rec.lines.length) if (stop(this.applyLine())) return;
  }

  private rewindTo(index: number): void {
    this.index = 0;
    this.model = null;
    this.node = new ReplayNode(this);
    this.replaced(this.node);
    this.now = this.rec.nodes.get(this.address)?.t ?? 0;
    while (this.index < index || (this.model === null && this.index < this.rec.lines.length)) this.applyLine();
  }

  private applyLine(): EventLine | { node: unknown } {
    const line = this.rec.lines[this.index++]!;
    this.now = Math.max(this.now, line.t);
    if ('node' in line) {
      if (line.node.address !== this.address) return { node: null };
      this.model ? this.model.reset(line.node.state) : (this.model = new NodeModel(line.node));
      return line;
    }
    if (line.n !== this.address) return { node: null };
    this.model?.apply(line);
    this.node.bus.emit(line.e, line.d as never);
    return line;
  }

  private isRound(l: EventLine | { node: unknown }): boolean {
    return 'e' in l && l.e === 'stabilize:round';
  }
}

/** The console's node while replaying: the recorded identity, the replayed state and moment. */
export class ReplayNode implements ConsoleNode {
  readonly bus = new EventBus();
  readonly bits: number;
  readonly routing: 'chord' | 'naive';
  readonly self: { readonly id: bigint; readonly address: string };
  readonly clock: Clock;
  readonly stabilization: StabilizationControls;

  constructor(private readonly player: ReplayPlayer) {
    const info = player.rec.nodes.get(player.address)!.node;
    this.bits = info.bits;
    this.routing = info.routing;
    this.self = { id: BigInt(`0x${info.id}`), address: info.address };
    this.clock = replayClock(player);
    this.stabilization = replayControls(player);
  }

  snapshot(opts?: { fingers?: boolean }): NodeSnapshot {
    return this.player.snapshot(opts?.fingers ?? true);
  }
}

/** The replayed moment as the panes' clock; timers are real ones (the panes' redraw waits). */
function replayClock(player: ReplayPlayer): Clock {
  return {
    now: () => player.now,
    setTimeout: (fn, ms) => setTimeout(fn, ms).unref() as unknown as TimerHandle,
    clearTimeout: (h) => clearTimeout(h as unknown as NodeJS.Timeout),
  };
}

/** The Stabilization pane's keys drive the replay: p plays/pauses, s steps one round, +/- speed. */
function replayControls(player: ReplayPlayer): StabilizationControls {
  return {
    pause: () => player.pause(),
    resume: () => player.play(),
    step: async () => player.stepRound(1),
    setIntervalMs: (ms) => (player.speed = Math.max(1 / 16, Math.min(256, 500 / ms))),
    isPaused: () => !player.playing,
    intervalMs: () => Math.round(500 / player.speed),
    effectiveMs: () => Math.round(500 / player.speed),
  };
}
