/**
 * The panes and the status bar listen to the shown node's bus, and in the lab to the lab's bus
 * as well; when the lab selects another node (or the shown one goes away) they follow it.
 */
import type { ConsoleNode } from './console-node.js';
import type { ConsoleLab } from './console-api.js';
import type { PaneSet } from './pane-set.js';
import type { StatusBar } from './panes/status-bar.js';

export interface BusWiringDeps {
  readonly lab?: ConsoleLab;
  readonly panes: PaneSet;
  readonly status: StatusBar;
  /** The node shown now. */
  readonly node: () => ConsoleNode;
  /** Shows another node (called between detaching from the old bus and attaching to the new). */
  readonly showNode: (node: ConsoleNode) => void;
  readonly requestFrame: () => void;
  /** Receives the function that moves every pane to another node (a replay rewinding). */
  readonly follower?: (follow: (next: ConsoleNode) => void) => void;
}

/** Attaches everything; returns what detaches it again. */
export function wireBuses(d: BusWiringDeps): () => void {
  const follow = (next: ConsoleNode | undefined) => {
    if (!next || next === d.node()) return;
    detach(d);
    d.showNode(next);
    attach(d);
    d.panes.nodeChanged();
    d.status.markDirty();
    d.requestFrame();
  };
  attach(d);
  d.follower?.(follow);
  const offs = [() => detach(d)];
  const lab = d.lab;
  if (lab)
    for (const name of ['lab:selected', 'lab:ring'] as const) offs.push(lab.bus.on(name, () => follow(lab.node())));
  return () => {
    for (const off of offs) off();
  };
}

function attach(d: BusWiringDeps): void {
  for (const bus of d.lab ? [d.lab.bus, d.node().bus] : [d.node().bus]) {
    d.panes.attach(bus);
    d.status.attach(bus);
  }
}

function detach(d: BusWiringDeps): void {
  d.panes.detach();
  d.status.detach();
}
