/**
 * The part of a ring member the console reads and drives: its bus, snapshots, identity and
 * stabilization controls. A ChordNode is one; so is a stand-in fed over a daemon's control
 * socket (`p2pterm attach`).
 */
import type { ChordNode } from '../dht/chord-node.js';

export type ConsoleNode = Pick<
  ChordNode,
  'bus' | 'clock' | 'bits' | 'routing' | 'self' | 'snapshot' | 'stabilization'
> &
  /** The other ring members of the node's process (`--vnodes`), when the console can know them. */
  Partial<Pick<ChordNode, 'processMembers'>>;
