/**
 * Every event the networking core publishes, by `domain:verb` name, with readonly payloads.
 * Ids are lowercase hex strings here: the bus is read by the console and scripts.
 */
import type { NodeRefJson } from '../core/node-ref.js';
import type { LogLevel } from '../core/log.js';
import type { Convergence, Disturbance, LabClockState, LabHealth, LabRingInfo, StormResult } from './lab-events.js';

/** One pointer a round (or a notify) moved, from what to what, and the message or timeout that moved it. */
export interface PointerChange {
  readonly pointer: 'successor' | 'predecessor' | 'successor-list' | 'finger';
  /** The finger's i, or the position in the successor list. */
  readonly index?: number;
  readonly from: NodeRefJson | null;
  readonly to: NodeRefJson | null;
  /** The message or timeout that caused it, in words ("no reply from H:P to neighbours"). */
  readonly cause: string;
}

export interface StabilizeOutcome {
  readonly at: number;
  /** What ran: the timer's (or a step's) round, or a notify that arrived from a peer. Default 'round'. */
  readonly trigger?: 'round' | 'notify';
  /** Every pointer this round moved, in order (absent in outcomes recorded before this field existed). */
  readonly changes?: readonly PointerChange[];
  /** The successor asked, and the predecessor it reported. */
  readonly successor: NodeRefJson;
  readonly successorPredecessor: NodeRefJson | null;
  /** A better successor was adopted (the reported predecessor sat between us). */
  readonly adoptedSuccessor: boolean;
  /** Dead successors skipped through the successor list this round. */
  readonly skippedDead: readonly NodeRefJson[];
  /** The notify sent to the successor was answered (false also when none was needed). */
  readonly notified: boolean;
  /**
   * False when the successor already named this node as its predecessor, so no notify was sent
   * (it would have changed nothing). Absent in outcomes recorded before this field existed: true.
   */
  readonly notifyNeeded?: boolean;
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

export interface TransferSourceProgress {
  readonly id: string;
  readonly bytes: number;
  readonly rateBps: number;
  readonly state: string;
}

export interface TransferInfo {
  /** Unique per transfer in this process. */
  readonly id: string;
  readonly name: string;
  readonly size: number;
  readonly direction: 'down' | 'up';
}

/** One file as the console's file browser shows it. */
export interface FileEntry {
  readonly name: string;
  readonly size: number;
  /** Where this file stands: only on disk here, announced to the tracker, stored in the ring, being fetched. */
  readonly states: readonly ('local' | 'shared' | 'ring' | 'downloading')[];
}

/** A peer asking this node for chunks, as the choker sees it (fair sharing, files/choker.ts). */
export interface UploadPeer {
  readonly peer: string;
  /** Unchoked for what it gave us, let in through the optimistic slot, or choked (served only when places are free). */
  readonly state: 'unchoked' | 'optimistic' | 'choked';
  readonly choked: boolean;
  /** Why, in words: "uploads to us", "newcomer, N starter uploads left" (optimistic), "never uploads to us", "slots full: 3 peers gave more lately". */
  readonly why: string;
  /** Bytes the peer sent us, decayed (what ranks it). */
  readonly credit: number;
  /** Bytes we sent it / it sent us since we first saw it. */
  readonly sent: number;
  readonly received: number;
  /** Its requests waiting for an upload place. */
  readonly waiting: number;
  /** The files it asked us for lately. */
  readonly files: readonly string[];
}

export interface BusEvents {
  'node:listening': { readonly id: string; readonly address: string };
  'node:joined': { readonly via: string; readonly successor: NodeRefJson };
  'node:left': { readonly graceful: boolean };
  'ring:predecessor-changed': { readonly from: NodeRefJson | null; readonly to: NodeRefJson | null };
  'ring:successor-changed': { readonly from: NodeRefJson; readonly to: NodeRefJson };
  'ring:successors-changed': { readonly successors: readonly NodeRefJson[] };
  /**
   * This node threaded in `node`, of another ring, as its successor (in place of `from`): two
   * rings are merging here, and the keys they stored apart must be reconciled.
   */
  'ring:merged': { readonly node: NodeRefJson; readonly from: NodeRefJson };
  'finger:updated': {
    readonly index: number;
    readonly start: string;
    readonly node: NodeRefJson | null;
    readonly at: number;
  };
  'stabilize:round': StabilizeOutcome;
  'lookup:done': LookupResult;
  'transfer:started': TransferInfo & { readonly sources: readonly string[] };
  'transfer:progress': {
    readonly id: string;
    readonly bytes: number;
    readonly total: number;
    readonly rateBps: number;
    readonly etaSec: number | null;
    readonly sources: readonly TransferSourceProgress[];
  };
  'transfer:finished': TransferInfo & {
    readonly ok: boolean;
    readonly error?: string;
    readonly path?: string;
    readonly ms: number;
  };
  'tracker:state': {
    readonly state: 'off' | 'connecting' | 'connected' | 'disconnected';
    readonly address: string | null;
    readonly error?: string;
  };
  'tracker:peers': {
    readonly online: number;
    readonly offline: number;
    /** The peers the tracker knows (those sharing files), online first. */
    readonly peers?: readonly { readonly address: string; readonly online: boolean }[];
  };
  'files:changed': { readonly files: readonly FileEntry[] };
  /** Who the choker serves first and why (at most once a second, only when something changed). */
  'upload:peers': { readonly peers: readonly UploadPeer[] };
  'store:keys-changed': { readonly primary: number; readonly replica: number };
  /** A ring-store maintenance pass ended (`startedAt`: when it began, on the node's clock). */
  'store:maintained': {
    readonly startedAt: number;
    readonly groups: number;
    readonly pushed: number;
    readonly dropped: number;
    readonly failed: number;
  };
  'log:line': { readonly at: number; readonly level: LogLevel; readonly topic: string; readonly message: string };
  // The ring lab (`p2pterm sim`), on the lab's own bus.
  'lab:health': LabHealth;
  'lab:storm': StormResult;
  'lab:disturbed': Disturbance;
  'lab:converged': Convergence;
  'lab:clock': LabClockState;
  'lab:ring': LabRingInfo;
  'lab:selected': { readonly address: string };
}

export type BusEventName = keyof BusEvents;
