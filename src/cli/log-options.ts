/**
 * `--log-level`, `--log-file` and `--quiet`, shared by every mode that runs a node or a tracker.
 * Lines at or above the level go to stderr (only errors with --quiet) and, with --log-file, to
 * that file as JSON lines `{"at","level","topic","message"}` (appended; --quiet does not thin it).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import type { EventBus } from '../bus/event-bus.js';
import type { BusEvents } from '../bus/events.js';
import type { LogLevel } from '../core/log.js';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface LogCliOptions {
  readonly logLevel?: LogLevel;
  readonly logFile?: string;
  readonly quiet?: boolean;
  /** `-v`: the same as `--log-level debug`. */
  readonly verbose?: boolean;
}

type LogLine = BusEvents['log:line'];

export function addLogOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--log-level <level>', 'least severe log line shown (default info)').choices(LOG_LEVELS))
    .option('--log-file <path>', 'also append log lines to PATH as JSON lines (at, level, topic, message)')
    .option('-q, --quiet', 'only errors on stderr', false);
}

/** The least severe level written: --log-level, else debug with -v, else info. */
export function minLevel(o: LogCliOptions): LogLevel {
  return o.logLevel ?? (o.verbose ? 'debug' : 'info');
}

export function atLeast(level: LogLevel, min: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(min);
}

/** One log line as the --log-file holds it. */
export function jsonLogLine(l: LogLine): string {
  return `${JSON.stringify({ at: new Date(l.at).toISOString(), level: l.level, topic: l.topic, message: l.message })}\n`;
}

export function textLogLine(l: LogLine): string {
  return `${new Date(l.at).toISOString()} ${l.level.padEnd(5)} ${l.topic}: ${l.message}\n`;
}

export interface LogSink {
  write(line: LogLine): void;
  /** Resolves once the log file has everything written so far. */
  close(): Promise<void>;
}

/**
 * The sink for these options. `stderr: false` (the console owns the terminal) writes only the
 * file. A log file that cannot be written is reported once on stderr; the run goes on.
 */
export function openLogSink(o: LogCliOptions, opts: { stderr?: NodeJS.WritableStream | null } = {}): LogSink {
  const min = minLevel(o);
  const err = opts.stderr === undefined ? process.stderr : opts.stderr;
  const errMin: LogLevel = o.quiet ? 'error' : min;
  const file = o.logFile ? openFile(resolve(o.logFile), err) : null;
  return {
    write: (l) => {
      if (err && atLeast(l.level, errMin)) err.write(textLogLine(l));
      if (file && atLeast(l.level, min)) file.write(jsonLogLine(l));
    },
    close: () => new Promise((done) => (file ? file.end(done) : done())),
  };
}

function openFile(path: string, err: NodeJS.WritableStream | null): WriteStream {
  const stream = createWriteStream(path, { flags: 'a' });
  stream.once('error', (e) => {
    // Reported once; the node keeps running and logging to stderr.
    err?.write(`p2pterm: cannot write the log file ${path}: ${e.message}\n`);
  });
  return stream;
}

/** Sends the bus's log lines to the sink; returns the sink so the caller can close it on exit. */
export function attachLogSink(bus: EventBus, o: LogCliOptions, opts?: { stderr?: NodeJS.WritableStream | null }) {
  const sink = openLogSink(o, opts);
  bus.on('log:line', (l) => sink.write(l));
  return sink;
}
