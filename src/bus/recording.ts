/**
 * The recording format (`--record FILE`, `p2pterm replay FILE`): JSON lines, append-only.
 *
 *   line 1      {"format":"p2pterm-recording","version":1,"startedWallMs":…}
 *   node lines  {"t":…,"node":{address,id,bits,routing,state}}  a node's state when recording of it began
 *   event lines {"t":…,"n":"H:P","e":"ring:successor-changed","d":{…payload…}}
 *
 * `t` is the recorded node's clock in ms (wall time for real nodes, virtual time in the lab),
 * `d` is the bus payload exactly as published. A file that grew past its bound is gzipped to
 * FILE.1.gz and FILE starts again with a header and every node's state, so each file replays
 * on its own.
 */
import type { NodeRefJson } from '../core/node-ref.js';
import type { BusEventName, BusEvents } from './events.js';

export const RECORDING_FORMAT = 'p2pterm-recording';
export const RECORDING_VERSION = 1;

export interface RecordingHeader {
  readonly format: typeof RECORDING_FORMAT;
  readonly version: number;
  readonly startedWallMs: number;
}

/** A node's routing state: what the replay starts from before applying events. */
export interface RecordedState {
  readonly inRing: boolean;
  readonly predecessor: NodeRefJson | null;
  readonly successors: readonly NodeRefJson[];
  readonly fingers: readonly { readonly index: number; readonly node: NodeRefJson; readonly fixedAt: number }[];
}

export interface RecordedNode {
  readonly address: string;
  readonly id: string;
  readonly bits: number;
  readonly routing: 'chord' | 'naive';
  readonly state: RecordedState;
}

export interface NodeLine {
  readonly t: number;
  readonly node: RecordedNode;
}

export type EventLine = {
  [K in BusEventName]: { readonly t: number; readonly n: string; readonly e: K; readonly d: BusEvents[K] };
}[BusEventName];

export type RecordingLine = NodeLine | EventLine;
