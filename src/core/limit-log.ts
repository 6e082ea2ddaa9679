/**
 * Logs going over a limit at most once per peer and kind in a window (a minute by default), so
 * a peer that hammers a limit cannot flood the log. The lines in between are counted and the
 * next line says how many were left out.
 *
 * Invariants:
 * - at most one line per (peer, kind) per window;
 * - memory is bounded: past `maxKeys` keys the oldest are forgotten (at worst one line more).
 */
import type { LogFn, LogLevel } from './log.js';

/** One line per peer and kind this often at most, in ms. */
export const LIMIT_LOG_WINDOW_MS = 60_000;
/** Keys remembered at most. */
const MAX_KEYS = 4096;

interface Entry {
  at: number;
  /** Lines left out since the last one logged. */
  skipped: number;
}

export class LimitLog {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly log: LogFn,
    /** The time in ms (the node's clock, or a virtual one in tests). */
    private readonly now: () => number,
    private readonly windowMs = LIMIT_LOG_WINDOW_MS,
    private readonly maxKeys = MAX_KEYS,
  ) {}

  /** Keys remembered now. */
  get size(): number {
    return this.entries.size;
  }

  /** Logs `message` unless a line for this `peer` and `kind` went out within the window; true if it did. */
  note(peer: string, kind: string, message: string, level: LogLevel = 'warn', topic = 'limits'): boolean {
    const key = `${kind} ${peer}`;
    const now = this.now();
    const e = this.entries.get(key);
    if (e && now - e.at < this.windowMs) {
      e.skipped++;
      return false;
    }
    const more = e?.skipped ? ` (${e.skipped} more since the last line)` : '';
    this.entries.delete(key);
    this.entries.set(key, { at: now, skipped: 0 });
    if (this.entries.size > this.maxKeys) this.entries.delete(this.entries.keys().next().value as string);
    this.log(level, topic, `${message}${more}`);
    return true;
  }
}
