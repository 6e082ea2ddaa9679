/**
 * `p2pterm sim --record FILE`: every node of the lab's ring, from the moment it starts, goes to
 * one recording (io/bus-recorder.ts); `p2pterm replay FILE` shows any of them (N cycles).
 */
import { resolve } from 'node:path';
import type { ChordNode } from '../dht/chord-node.js';

export interface LabRecording {
  /** Passed to the lab as `onNode`; undefined without --record. */
  readonly onNode?: (node: ChordNode) => void;
  close(): void;
}

export async function labRecording(path: string | undefined): Promise<LabRecording> {
  if (!path) return { close: () => undefined };
  const [{ BusRecorder }, { recordable }] = await Promise.all([
    import('../io/bus-recorder.js'),
    import('../dht/recordable-node.js'),
  ]);
  const recorder = new BusRecorder(resolve(path));
  return { onNode: (node) => recorder.watch(recordable(node)), close: () => recorder.close() };
}
