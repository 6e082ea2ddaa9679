/**
 * The owner's side of a put: store the value as primary, then copy it to the next r-1
 * successors before answering, stepping past successors that do not answer (and past virtual
 * nodes of a process that already has a copy: see distinct-hosts.ts).
 *
 * Invariants:
 * - the put succeeds only when min(r, ring size) nodes acknowledged a durable copy; otherwise
 *   it fails with UNAVAILABLE (the copies made stay, maintenance completes them later);
 * - a node that does not own the key refuses a primary put with NOT_OWNER, so the writer
 *   re-routes instead of leaving the value where no reader looks.
 */
import type { NodeRef } from '../core/node-ref.js';
import type { EntryKind } from './blob-store.js';
import type { StoreContext } from './store-context.js';
import { StoreError } from './store-error.js';

export async function storeAsOwner(
  ctx: StoreContext,
  key: string,
  kind: EntryKind,
  bytes: Uint8Array,
  /** The peer the value came from (charged against its quota), or undefined for our own put. */
  from?: string,
): Promise<NodeRef[]> {
  ctx.assertRunning();
  const id = ctx.idOf(key);
  if (!ctx.node.member) throw new StoreError('NOT_OWNER', `${ctx.self.address} is not part of a ring`);
  if (!ctx.owns(id)) throw new StoreError('NOT_OWNER', `${ctx.self.address} does not own ${id.toString(16)}`);
  await ctx.save(key, kind, bytes, 'primary', from);
  const targets = ctx.replicaTargets();
  const needed = Math.min(ctx.replicas - 1, targets.length);
  const acked = await copyToFirst(ctx, targets, needed, (to) => pushCopy(ctx, to, key, kind, bytes));
  if (acked.length < needed) {
    throw new StoreError(
      'UNAVAILABLE',
      `stored ${acked.length + 1} of ${needed + 1} copies of ${JSON.stringify(key)}: successors did not answer`,
    );
  }
  return [ctx.self, ...acked];
}

/** Sends one copy of a value to `to` (stored there as a replica, or primary if it owns it). */
export async function pushCopy(
  ctx: StoreContext,
  to: NodeRef,
  key: string,
  kind: EntryKind,
  bytes: Uint8Array,
): Promise<void> {
  await ctx.call(to.address, 'store_put', { key, kind, value: bytes, replica: 1 });
}

/** Runs `send` on targets in order until `needed` succeeded (in parallel, `needed` at a time). */
async function copyToFirst(
  ctx: StoreContext,
  targets: readonly NodeRef[],
  needed: number,
  send: (to: NodeRef) => Promise<void>,
): Promise<NodeRef[]> {
  const acked: NodeRef[] = [];
  let next = 0;
  while (acked.length < needed && next < targets.length) {
    const batch = targets.slice(next, next + needed - acked.length);
    next += batch.length;
    const results = await Promise.allSettled(batch.map(send));
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') acked.push(batch[i]!);
      else ctx.node.log('warn', 'store', `copy to ${batch[i]!.address} failed: ${(r.reason as Error).message}`);
    });
  }
  return acked;
}
