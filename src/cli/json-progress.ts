/**
 * Transfer progress of the headless driver as JSON event lines on stdout, beside the replies:
 * `{"event":"progress","name","direction","bytes","total","rateBps","etaSec"}`, at most one a
 * second per transfer (the first right away), so scripts can follow a long `put` or `get`. The
 * command's own reply still comes as its one line with `cmd` when it ends.
 */
import type { EventBus } from '../bus/event-bus.js';
import { PROGRESS_LINE_MS } from './stderr-progress.js';

export function attachJsonProgress(
  bus: EventBus,
  out: NodeJS.WritableStream = process.stdout,
  now: () => number = Date.now,
): () => void {
  const started = new Map<string, { name: string; direction: 'up' | 'down'; last: number }>();
  const offs = [
    bus.on('transfer:started', (p) => {
      started.set(p.id, { name: p.name, direction: p.direction, last: Number.NEGATIVE_INFINITY });
    }),
    bus.on('transfer:progress', (p) => {
      const s = started.get(p.id);
      const at = now();
      if (!s || at - s.last < PROGRESS_LINE_MS) return;
      s.last = at;
      const line = { event: 'progress', name: s.name, direction: s.direction, bytes: p.bytes, total: p.total };
      out.write(`${JSON.stringify({ ...line, rateBps: Math.round(p.rateBps), etaSec: p.etaSec })}\n`);
    }),
    bus.on('transfer:finished', (p) => {
      started.delete(p.id);
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
