/**
 * Progress of the transfers a one-shot command started: a bar on stderr when it is a terminal
 * (cli-progress), JSON event lines on stdout with --json, nothing otherwise.
 */
import cliProgress from 'cli-progress';
import type { BusEvents } from '../bus/events.js';
import type { ControlMessage } from './control-protocol.js';

export interface ProgressView {
  /** Feeds one pushed message from the daemon. */
  onMessage(m: ControlMessage): void;
  stop(): void;
}

export function progressView(json: boolean, out: NodeJS.WritableStream = process.stdout): ProgressView {
  if (json) return jsonProgress(out);
  if (process.stderr.isTTY) return barProgress();
  return { onMessage: () => undefined, stop: () => undefined };
}

const TRANSFER_EVENTS = new Set(['transfer:started', 'transfer:progress', 'transfer:finished']);

function jsonProgress(out: NodeJS.WritableStream): ProgressView {
  return {
    onMessage: (m) => {
      if (m.event && TRANSFER_EVENTS.has(m.event))
        out.write(`${JSON.stringify({ event: m.event, ...(m.payload as object) })}\n`);
    },
    stop: () => undefined,
  };
}

function barProgress(): ProgressView {
  const bars = new Map<string, cliProgress.SingleBar>();
  const multi = new cliProgress.MultiBar(
    {
      format: '{name} [{bar}] {percentage}% {value}/{total} B {rate} ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: false,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    onMessage: (m) => {
      if (m.event === 'transfer:started') {
        const p = m.payload as BusEvents['transfer:started'];
        bars.set(p.id, multi.create(p.size, 0, { name: p.name, rate: '' }));
      } else if (m.event === 'transfer:progress') {
        const p = m.payload as BusEvents['transfer:progress'];
        bars.get(p.id)?.update(p.bytes, { rate: `${(p.rateBps / 1e6).toFixed(1)} MB/s` });
      } else if (m.event === 'transfer:finished') {
        const p = m.payload as BusEvents['transfer:finished'];
        const bar = bars.get(p.id);
        if (bar && p.ok) bar.update(p.size);
        bar?.stop();
      }
    },
    stop: () => multi.stop(),
  };
}
