/**
 * Every event the networking core publishes, by `domain:verb` name, with readonly payloads.
 * Ids are lowercase hex strings here: the bus is read by the console and scripts.
 */
import type { NodeRefJson } from '../core/node-ref.js';
import type { LogLevel } from '../transport/log-fn.js';

export interface StabilizeOutcome {
  readonly at: number;
  /** The successor asked, and the predecessor it reported. */
  readonly successor: NodeRefJson;
  readonly successorPredecessor: NodeRefJson | null;
  /** A better successor was adopted (the reported predecessor sat between us). */
  readonly adoptedSuccessor: boolean;
  /** Dead successors skipped through the successor list this round. */
  readonly skippedDead: readonly NodeRefJson[];
  readonly notified: boolean;
  readonly fingerFixed: number | null;
  readonly predecessorCheck: 'alive' | 'dead' | 'none';
  readonly successorListChanged: boolean;
  /** Ring health as this node sees it: is my successor's predecessor me? */
  readonly healthy: boolean;
  readonly error?: string;
}

export interface LookupResult {
  readonly key: string;
  readonly owner: NodeRefJson;
  readonly hops: number;
  /** Every node asked, in order, starting with the node that looked up. */
  readonly path: readonly NodeRefJson[];
  readonly ms: number;
}

export interface BusEvents {
  'node:listening': { readonly id: string; readonly address: string };
  'node:joined': { readonly via: string; readonly successor: NodeRefJson };
  'node:left': { readonly graceful: boolean };
  'ring:predecessor-changed': { readonly from: NodeRefJson | null; readonly to: NodeRefJson | null };
  'ring:successor-changed': { readonly from: NodeRefJson; readonly to: NodeRefJson };
  'ring:successors-changed': { readonly successors: readonly NodeRefJson[] };
  'finger:updated': { readonly index: number; readonly start: string; readonly node: NodeRefJson | null; readonly at: number };
  'stabilize:round': StabilizeOutcome;
  'lookup:done': LookupResult;
  'log:line': { readonly at: number; readonly level: LogLevel; readonly topic: string; readonly message: string };
}

export type BusEventName = keyof BusEvents;
