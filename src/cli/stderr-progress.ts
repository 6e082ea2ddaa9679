/**
 * Transfer progress of the headless driver as plain lines on stderr (stdout keeps the JSON
 * replies): one line when a transfer starts, at most one a second while it runs, one at the end.
 */
import type { EventBus } from '../bus/event-bus.js';

/** Least time between two progress lines of one transfer. */
export const PROGRESS_LINE_MS = 1_000;

function mib(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

export function attachStderrProgress(
  bus: EventBus,
  out: NodeJS.WritableStream = process.stderr,
  now: () => number = Date.now,
): () => void {
  const names = new Map<string, string>();
  const lastLine = new Map<string, number>();
  const offs = [
    bus.on('transfer:started', (p) => {
      names.set(p.id, `${p.direction === 'up' ? 'put' : 'get'} ${p.name}`);
      lastLine.set(p.id, now());
      out.write(`${names.get(p.id)}: started (${mib(p.size)}${startedFrom(p.direction, p.sources.length)})\n`);
    }),
    bus.on('transfer:progress', (p) => {
      const at = now();
      if (at - (lastLine.get(p.id) ?? 0) < PROGRESS_LINE_MS) return;
      lastLine.set(p.id, at);
      const pct = p.total > 0 ? Math.floor((100 * p.bytes) / p.total) : 0;
      const eta = p.etaSec === null ? '' : `, ${Math.ceil(p.etaSec)} s left`;
      out.write(`${names.get(p.id) ?? p.id}: ${pct}% ${mib(p.bytes)}/${mib(p.total)} at ${mib(p.rateBps)}/s${eta}\n`);
    }),
    bus.on('transfer:finished', (p) => {
      const label = names.get(p.id) ?? `${p.direction === 'up' ? 'send' : 'get'} ${p.name}`;
      names.delete(p.id);
      lastLine.delete(p.id);
      const how = p.ok ? `done, ${mib(p.size)} in ${(p.ms / 1000).toFixed(1)} s` : `failed: ${p.error ?? 'unknown'}`;
      out.write(`${label}: ${how}\n`);
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}

/** " from 3 sources" for a download; nothing for an upload, whose targets are the ring's holders. */
function startedFrom(direction: 'up' | 'down', sources: number): string {
  if (direction === 'up') return '';
  return ` from ${sources} ${sources === 1 ? 'source' : 'sources'}`;
}
