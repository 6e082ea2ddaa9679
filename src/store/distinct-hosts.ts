/**
 * Replica placement across processes: a process running several virtual nodes is one machine
 * to fail, so the r holders of a key are r distinct processes ("host:port", see
 * wire/address.ts), the nearest virtual node of each.
 */
import type { NodeRef } from '../core/node-ref.js';
import { hostOf } from '../wire/address.js';

/** `nodes` in order, skipping any whose process came earlier in the list (or is in `exclude`). */
export function distinctHosts(nodes: readonly NodeRef[], exclude: readonly string[] = []): NodeRef[] {
  const seen = new Set(exclude.map(hostOf));
  const out: NodeRef[] = [];
  for (const n of nodes) {
    const host = hostOf(n.address);
    if (seen.has(host)) continue;
    seen.add(host);
    out.push(n);
  }
  return out;
}
