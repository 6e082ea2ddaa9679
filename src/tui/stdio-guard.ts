/**
 * While the screen is up nothing but the screen may reach the terminal: console.*,
 * process.stderr writes and process warnings are turned into log lines for the log pane.
 * `release()` puts everything back (before the screen is gone, errors still reach the log;
 * after, they reach the terminal as usual).
 */
import { format } from 'node:util';
import type { LogLevel } from '../core/log.js';

export type LogSink = (level: LogLevel, topic: string, message: string) => void;

export function guardStdio(sink: LogSink): () => void {
  const restores = [routeConsole(sink), routeStderr(sink), routeWarnings(sink)];
  return () => {
    for (const restore of restores) restore();
  };
}

function routeConsole(sink: LogSink): () => void {
  const saved = {
    log: console.log,
    info: console.info,
    warn: console.warn,
    error: console.error,
    debug: console.debug,
  };
  const route =
    (level: LogLevel) =>
    (...args: unknown[]) =>
      sink(level, 'console', format(...args));
  console.log = route('info');
  console.info = route('info');
  console.debug = route('debug');
  console.warn = route('warn');
  console.error = route('error');
  return () => Object.assign(console, saved);
}

function routeStderr(sink: LogSink): () => void {
  const stderrWrite = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    for (const line of text.split('\n')) if (line.trim()) sink('warn', 'stderr', line);
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof process.stderr.write;
  return () => {
    process.stderr.write = stderrWrite;
  };
}

/** Node prints warnings through a 'warning' listener of its own: swap it for the log. */
function routeWarnings(sink: LogSink): () => void {
  const warningListeners = process.listeners('warning');
  process.removeAllListeners('warning');
  const onWarning = (w: Error) => sink('warn', 'node', `${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  return () => {
    process.removeListener('warning', onWarning);
    for (const l of warningListeners) process.on('warning', l as (w: Error) => void);
  };
}
