/**
 * The classic stabilize step, repeated: walks back from `succ` while its predecessor sits
 * between us and it and answers. Bounded (WALK_BACK_LIMIT) so that a successor pointer that
 * overshoots by many nodes is corrected within one round rather than one node per round.
 */
import { isCloserSuccessor, type ChordState } from '../core/chord-state.js';
import type { NodeRef } from '../core/node-ref.js';
import type { ResponseBody } from '../wire/messages.js';
import type { NodeContext } from './node-context.js';
import { fromWire } from './wire-refs.js';

/** How far one stabilize round may walk back along predecessors. */
const WALK_BACK_LIMIT = 64;

export interface Successor {
  readonly node: NodeRef;
  /** What `node` said about its neighbours. */
  readonly neighbours: ResponseBody<'neighbours'>;
}

export async function closerSuccessor(
  ctx: NodeContext,
  st: ChordState,
  succ: NodeRef,
  nb: ResponseBody<'neighbours'>,
  signal?: AbortSignal,
): Promise<Successor> {
  let node = succ;
  let neighbours = nb;
  for (let steps = 0; steps < WALK_BACK_LIMIT; steps++) {
    const x = neighbours.predecessor ? fromWire(neighbours.predecessor) : null;
    if (!x || !isCloserSuccessor(st, x, node)) break;
    const xn = await ctx.request(x.address, 'neighbours', {}, signal).catch((e: unknown) => {
      if (signal?.aborted) throw e;
      return null; // x did not answer: keep `node`, which did (only live nodes are adopted)
    });
    if (!xn) break;
    [node, neighbours] = [x, xn];
  }
  return { node, neighbours };
}
