/**
 * The ring lab as the console drives it: a Lab (src/sim/lab.ts) plus the console's view state
 * (lab-view-state.ts), so that a crash or leave given no node acts on the selected one.
 */
import type { ChordNode } from '../dht/chord-node.js';
import { Lab } from '../sim/lab.js';
import { LabViewState, type NodeChoice } from './lab-view-state.js';

export class RingLab extends Lab {
  readonly view = new LabViewState(this);

  /** The node the console shows. */
  get selected(): ChordNode {
    return this.view.selected;
  }

  /** Selects a node by address, hex id, index in id order ("#12"), or relative to the current one. */
  select(which: NodeChoice): ChordNode {
    return this.view.select(which);
  }

  /** Crashes the given nodes (default: the selected one). */
  override crash(nodes: readonly ChordNode[] = [this.selected]): Promise<number> {
    return super.crash(nodes);
  }

  /** Graceful leaves, one after another (default: the selected node). */
  override leave(nodes: readonly ChordNode[] = [this.selected]): Promise<number> {
    return super.leave(nodes);
  }
}
