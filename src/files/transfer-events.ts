/** Forwards the transfer manager's events to the bus as transfer:* events. */
import type { EventBus } from '../bus/event-bus.js';
import type { TransferManager } from '../transfer/transfer-manager.js';

export function publishTransfers(
  manager: TransferManager,
  bus: EventBus,
  downloading: Set<string>,
  onChange: () => void,
): void {
  const info = new Map<string, { name: string; size: number; started: number }>();
  manager.on('started', ({ id, name }) => {
    info.set(id, { name, size: 0, started: Date.now() });
    downloading.add(name);
    bus.emit('transfer:started', { id, name, size: 0, direction: 'down', sources: [] });
    onChange();
  });
  manager.on('progress', ({ id, progress: p }) => {
    const t = info.get(id);
    if (t) t.size = p.total;
    bus.emit('transfer:progress', {
      id,
      bytes: p.bytes,
      total: p.total,
      rateBps: p.rateBps,
      etaSec: p.etaSec,
      sources: p.sources.map((s) => ({ id: s.id, bytes: s.bytes, rateBps: s.rateBps, state: s.state })),
    });
  });
  const end = (id: string, ok: boolean, extra: { error?: string; path?: string; size?: number }) => {
    const t = info.get(id) ?? { name: id, size: 0, started: Date.now() };
    info.delete(id);
    downloading.delete(t.name);
    bus.emit('transfer:finished', {
      id,
      name: t.name,
      size: extra.size ?? t.size,
      direction: 'down',
      ok,
      error: extra.error,
      path: extra.path,
      ms: Date.now() - t.started,
    });
    onChange();
  };
  manager.on('finished', ({ id, result }) => end(id, true, { path: result.path, size: result.size }));
  manager.on('failed', ({ id, error }) => end(id, false, { error: (error as Error)?.message ?? String(error) }));
}

let puts = 0;

/** A put in progress as the bus sees it: an upload whose bytes are the chunks stored so far. */
export interface PutProgress {
  stored(bytes: number): void;
  end(error?: unknown): void;
}

/** Announces a put of `name` (`size` bytes) as an upload on the bus; report chunks and the end on the result. */
export function publishPut(bus: EventBus, name: string, size: number): PutProgress {
  const id = `put-${++puts}`;
  const started = Date.now();
  let bytes = 0;
  bus.emit('transfer:started', { id, name, size, direction: 'up', sources: [] });
  return {
    stored(n) {
      bytes += n;
      const sec = (Date.now() - started) / 1000;
      const rateBps = sec > 0 ? bytes / sec : 0;
      const etaSec = rateBps > 0 ? (size - bytes) / rateBps : null;
      bus.emit('transfer:progress', { id, bytes, total: size, rateBps, etaSec, sources: [] });
    },
    end(error) {
      const failed = error !== undefined;
      bus.emit('transfer:finished', {
        id,
        name,
        size,
        direction: 'up',
        ok: !failed,
        error: failed ? ((error as Error)?.message ?? String(error)) : undefined,
        ms: Date.now() - started,
      });
    },
  };
}
