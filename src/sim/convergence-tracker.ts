/**
 * The lab's recovery bookkeeping: the disturbance the ring is recovering from, and for each
 * one how long the ring took to be healthy again (successors and predecessors right) and
 * fully correct (fingers too), in lab time and wall time.
 *
 * Invariants:
 * - one disturbance is tracked at a time; a new one marks the previous as superseded;
 * - a recovery is published once (`lab:converged`) and kept among the last MAX_CONVERGENCES.
 */
import type { EventBus } from '../bus/event-bus.js';
import type { Convergence, Disturbance, DisturbanceKind, LabHealth } from '../bus/lab-events.js';
import type { LogLevel } from '../core/log.js';

/** Recoveries kept for the console to show. */
export const MAX_CONVERGENCES = 50;

interface Pending {
  readonly d: Disturbance;
  ringMs: number | null;
  ringWallMs: number | null;
}

export class ConvergenceTracker {
  /** The last MAX_CONVERGENCES recoveries, oldest first. */
  readonly convergences: Convergence[] = [];
  private pending: Pending | null = null;

  constructor(
    private readonly bus: EventBus,
    private readonly log: (level: LogLevel, message: string) => void,
  ) {}

  /** The disturbance still being recovered from, if any. */
  get recovering(): Disturbance | null {
    return this.pending?.d ?? null;
  }

  /** Starts tracking a disturbance that happened at lab time `at`. */
  disturbed(kind: DisturbanceKind, detail: string, at: number): void {
    if (this.pending) this.finish(this.pending, null, null, true);
    const d: Disturbance = { kind, detail, at, wallAt: performance.now() };
    this.pending = { d, ringMs: null, ringWallMs: null };
    this.bus.emit('lab:disturbed', d);
    this.log('info', `${kind}: ${detail}`);
  }

  /** Updates the recovery in progress with a health check. */
  observe(h: LabHealth): void {
    const p = this.pending;
    if (!p) return;
    if (h.healthy && p.ringMs === null)
      [p.ringMs, p.ringWallMs] = [h.at - p.d.at, Math.round(performance.now() - p.d.wallAt)];
    if (h.correct && p.ringMs !== null)
      this.finish(p, h.at - p.d.at, Math.round(performance.now() - p.d.wallAt), false);
  }

  private finish(p: Pending, fullMs: number | null, fullWallMs: number | null, superseded: boolean): void {
    const c: Convergence = {
      kind: p.d.kind,
      detail: p.d.detail,
      ringMs: p.ringMs,
      ringWallMs: p.ringWallMs,
      fullMs,
      fullWallMs,
      superseded,
    };
    this.pending = null;
    this.convergences.push(c);
    if (this.convergences.length > MAX_CONVERGENCES) this.convergences.shift();
    this.bus.emit('lab:converged', c);
    if (!superseded)
      this.log(
        'info',
        `recovered from ${c.kind} (${c.detail}): ring after ${c.ringMs} ms, fingers after ${c.fullMs} ms (wall ${c.ringWallMs}/${c.fullWallMs} ms)`,
      );
  }
}
