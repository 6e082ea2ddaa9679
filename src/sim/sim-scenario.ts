/**
 * `p2pterm sim --headless`: a scenario without a screen. Builds the ring, lets it converge,
 * runs a lookup storm, then applies each disturbance given (network conditions first, then
 * joins, crashes, leaves, a partition) and after each one measures the time to recover and
 * runs another storm. Every step prints one JSON line (or one readable line without --json).
 */
import type { Lab } from './lab.js';
import type { LabHealth, StormResult } from '../bus/lab-events.js';

export interface ScenarioOptions {
  /** Lookups per storm (default 1000). */
  readonly lookups?: number;
  readonly latencyMs?: number;
  readonly loss?: number;
  /** Nodes that join at once. */
  readonly join?: number;
  /** Fraction of nodes to crash. */
  readonly crash?: number;
  /** Fraction of nodes that leave gracefully. */
  readonly leave?: number;
  /** Split into two halves for this many lab ms, then heal. */
  readonly partitionMs?: number;
  /** Most lab ms to wait for convergence after each step (default 120 s). */
  readonly convergeLimitMs?: number;
}

export type Emit = (line: Record<string, unknown>) => void;

export async function runScenario(lab: Lab, o: ScenarioOptions, emit: Emit): Promise<void> {
  const t0 = performance.now();
  // The ring was built before the scenario started: its build time is the lab's own figure.
  emit({ event: 'built', ...lab.info(), building: undefined, wallMs: lab.buildWallMs });
  await settle(lab, 'build', o, emit);
  await storm(lab, 'baseline', o, emit);
  if (o.latencyMs !== undefined) lab.setLatency(o.latencyMs);
  if (o.loss !== undefined) lab.setLoss(o.loss);
  if (o.latencyMs !== undefined || o.loss !== undefined) await phase(lab, 'network', o, emit);
  if (o.join) await lab.addNodes(o.join), await phase(lab, 'join', o, emit);
  if (o.crash) await lab.crashFraction(o.crash), await phase(lab, 'crash', o, emit);
  if (o.leave) await lab.leaveFraction(o.leave), await phase(lab, 'leave', o, emit);
  if (o.partitionMs) {
    lab.partition(2);
    await lab.clock.advance(o.partitionMs);
    emit({ event: 'partitioned', ms: o.partitionMs, health: brief(lab.checkHealth()) });
    lab.heal();
    await phase(lab, 'heal', o, emit);
  }
  emit({ event: 'done', nodes: lab.live.length, labMs: lab.clock.now(), wallMs: Math.round(performance.now() - t0) });
}

async function phase(lab: Lab, name: string, o: ScenarioOptions, emit: Emit): Promise<void> {
  const d = lab.recovering;
  emit({ event: 'disturbed', phase: name, kind: d?.kind, detail: d?.detail, nodes: lab.live.length });
  await settle(lab, name, o, emit);
  await storm(lab, name, o, emit);
}

async function settle(lab: Lab, name: string, o: ScenarioOptions, emit: Emit): Promise<void> {
  const limit = o.convergeLimitMs ?? 120_000;
  const ring = await lab.converge(limit, { fingers: false });
  const full = ring ? await lab.converge(limit, { fingers: true }) : null;
  emit({
    event: 'converged',
    phase: name,
    virtual: lab.clock.isVirtual,
    ringMs: ring?.ms ?? null,
    ringWallMs: ring?.wallMs ?? null,
    fingersMs: ring && full ? ring.ms + full.ms : null,
    fingersWallMs: ring && full ? ring.wallMs + full.wallMs : null,
    health: brief(lab.lastHealth!),
  });
}

async function storm(lab: Lab, name: string, o: ScenarioOptions, emit: Emit): Promise<void> {
  const r: StormResult = await lab.storm(o.lookups ?? 1000);
  emit({ event: 'storm', phase: name, ...r });
}

function brief(h: LabHealth): Record<string, unknown> {
  const {
    nodes,
    orderedRing,
    rings,
    wrongSuccessors,
    wrongPredecessors,
    wrongFingers,
    checkedFingers,
    healthy,
    correct,
  } = h;
  return {
    nodes,
    orderedRing,
    rings,
    wrongSuccessors,
    wrongPredecessors,
    wrongFingers,
    checkedFingers,
    healthy,
    correct,
  };
}
