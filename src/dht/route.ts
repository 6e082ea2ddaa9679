/**
 * Iterative lookup: the asking node walks the ring one find_step RPC at a time, so it sees
 * (and reports) every hop. A node that does not answer is excluded and the previous hop is
 * asked again for an alternative.
 */
import type { NodeRef } from '../core/node-ref.js';
import { sameNode } from '../core/node-ref.js';
import { routeStep, type ChordState, type RouteStep } from '../core/chord-state.js';
import { IncompatiblePeerError, P2pError } from '../wire/errors.js';
import type { Transport } from '../transport/transport.js';
import { fromWire } from './wire-refs.js';

/** The most dead nodes a single lookup routes around before giving up. */
const MAX_FAILURES = 24;

export interface RouteResult {
  readonly owner: NodeRef;
  /** Nodes that answered a routing step, in order (the local node first). */
  readonly path: NodeRef[];
  /** Successful remote routing steps. */
  readonly hops: number;
  /** Every RPC sent, including ones that failed. */
  readonly rpcs: number;
  /** Nodes that did not answer. */
  readonly failed: NodeRef[];
}

export async function route(
  state: ChordState,
  transport: Transport,
  key: bigint,
  first: NodeRef | null,
  maxHops: number,
): Promise<RouteResult> {
  const exclude = new Set<string>();
  const path: NodeRef[] = [state.self];
  const failed: NodeRef[] = [];
  const keyHex = key.toString(16);
  let rpcs = 0;
  let step: RouteStep = first ? { done: false, node: first } : routeStep(state, key);
  while (!step.done) {
    if (path.length > maxHops) throw new P2pError('LOOKUP_FAILED', `lookup of ${keyHex} exceeded ${maxHops} hops`);
    const next = step.node;
    if (sameNode(next, state.self)) {
      step = routeStep(state, key, exclude);
      if (!step.done && sameNode(step.node, state.self)) throw new P2pError('LOOKUP_FAILED', `no route to ${keyHex}`);
      continue;
    }
    rpcs++;
    try {
      const r = await transport.request(next.address, 'find_step', { key: keyHex, exclude: [...exclude].slice(-32) });
      path.push(next);
      step = { done: r.done, node: fromWire(r.node) };
    } catch (e) {
      if (e instanceof IncompatiblePeerError) throw e;
      failed.push(next);
      exclude.add(next.address);
      if (failed.length > MAX_FAILURES)
        throw new P2pError('LOOKUP_FAILED', `lookup of ${keyHex} failed: ${(e as Error).message}`);
      const prev = path.at(-1)!;
      step = sameNode(prev, state.self) ? routeStep(state, key, exclude) : { done: false, node: prev };
      if (!sameNode(prev, state.self)) path.pop();
    }
  }
  return { owner: step.node, path, hops: path.length - 1, rpcs, failed };
}
