/**
 * A recording read back (format: bus/recording.ts) and each node's routing state at any
 * moment of it, rebuilt by applying the recorded events in order to the state the node had
 * when recording of it began. Pure: no screen, no clock.
 */
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import type { EventLine, RecordedNode, RecordedState, RecordingLine } from '../bus/recording.js';
import { RECORDING_FORMAT } from '../bus/recording.js';
import type { NodeRefJson } from '../core/node-ref.js';

export interface Recording {
  readonly startedWallMs: number;
  /** Every node recorded, by address, with the first state recorded of it. */
  readonly nodes: ReadonlyMap<string, { readonly t: number; readonly node: RecordedNode }>;
  /** Node lines and event lines in file order (their `t` never goes back per node). */
  readonly lines: readonly RecordingLine[];
}

export function readRecording(path: string): Recording {
  const raw = readFileSync(path);
  return parseRecording((path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8'));
}

export function parseRecording(text: string): Recording {
  const rows = text.split('\n').filter((l) => l.trim() !== '');
  const header = JSON.parse(rows[0] ?? '{}') as { format?: string; startedWallMs?: number };
  if (header.format !== RECORDING_FORMAT) throw new Error('not a p2pterm recording (first line has no format field)');
  const lines: RecordingLine[] = [];
  const nodes = new Map<string, { t: number; node: RecordedNode }>();
  for (let i = 1; i < rows.length; i++) {
    let line: RecordingLine;
    try {
      line = JSON.parse(rows[i]!) as RecordingLine;
    } catch {
      // A recording cut by a crash ends in a partial line: everything before it replays.
      if (i === rows.length - 1) break;
      throw new Error(`line ${i + 1} is not JSON`);
    }
    if ('node' in line && !nodes.has(line.node.address)) nodes.set(line.node.address, line);
    lines.push(line);
  }
  return { startedWallMs: header.startedWallMs ?? 0, nodes, lines };
}

/** One node's routing state as events move it. */
export class NodeModel {
  inRing: boolean;
  predecessor: NodeRefJson | null;
  successors: NodeRefJson[];
  fingers: (NodeRefJson | null)[];
  fixedAt: number[];

  constructor(readonly info: RecordedNode) {
    this.inRing = false;
    this.predecessor = null;
    this.successors = [];
    this.fingers = [];
    this.fixedAt = [];
    this.reset(info.state);
  }

  reset(s: RecordedState): void {
    this.inRing = s.inRing;
    this.predecessor = s.predecessor;
    this.successors = [...s.successors];
    this.fingers = new Array(this.info.bits).fill(null);
    this.fixedAt = new Array(this.info.bits).fill(-1);
    for (const f of s.fingers) (this.fingers[f.index] = f.node), (this.fixedAt[f.index] = f.fixedAt);
  }

  apply(line: EventLine): void {
    switch (line.e) {
      case 'ring:predecessor-changed':
        this.predecessor = line.d.to;
        break;
      case 'ring:successor-changed':
        this.successors[0] = line.d.to;
        break;
      case 'ring:successors-changed':
        this.successors = [...line.d.successors];
        break;
      case 'finger:updated':
        this.fingers[line.d.index] = line.d.node;
        this.fixedAt[line.d.index] = line.d.at;
        break;
      case 'node:joined':
        this.inRing = true;
        break;
      case 'node:left':
        // Outside any ring again: alone, as the node resets itself.
        this.reset({ inRing: false, predecessor: null, successors: [this.self()], fingers: [] });
        break;
    }
  }

  private self(): NodeRefJson {
    return { id: this.info.id, address: this.info.address };
  }

  /** The state in the shape of a node's snapshot (`state` in the headless driver). */
  snapshot(): RecordedState {
    const fingers = [];
    for (let i = 0; i < this.fingers.length; i++) {
      const node = this.fingers[i];
      if (node) fingers.push({ index: i, node, fixedAt: this.fixedAt[i]! });
    }
    return { inRing: this.inRing, predecessor: this.predecessor, successors: [...this.successors], fingers };
  }
}

/** `address`'s state after every line up to and including index `upTo` (exclusive end). */
export function stateAt(rec: Recording, address: string, upTo: number): RecordedState | null {
  let model: NodeModel | null = null;
  for (let i = 0; i < Math.min(upTo, rec.lines.length); i++) {
    const line = rec.lines[i]!;
    if ('node' in line) {
      if (line.node.address === address) model ? model.reset(line.node.state) : (model = new NodeModel(line.node));
    } else if (line.n === address) model?.apply(line);
  }
  return model?.snapshot() ?? null;
}

/** The index just past the last line recorded at or before `t` (lines of one clock). */
export function indexAtTime(rec: Recording, t: number): number {
  let i = 0;
  while (i < rec.lines.length && rec.lines[i]!.t <= t) i++;
  return i;
}
