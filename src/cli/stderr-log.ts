/** Writes the bus's log lines to stderr (the headless driver keeps stdout for JSON). */
import type { EventBus } from '../bus/event-bus.js';

export function attachStderrLog(bus: EventBus, verbose: boolean): void {
  bus.on('log:line', (l) => {
    if (l.level === 'debug' && !verbose) return;
    process.stderr.write(`${new Date(l.at).toISOString()} ${l.level.padEnd(5)} ${l.topic}: ${l.message}\n`);
  });
}
