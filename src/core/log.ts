/**
 * How lower layers report: a level, a topic ("tcp", "chord", ...) and a message.
 *
 * Invariants:
 * - a LogFn never throws and never blocks: it hands the line on (the node puts it on the bus);
 * - lower layers log through the LogFn they were given, never to the console.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFn = (level: LogLevel, topic: string, message: string) => void;

/** A LogFn that drops every line (for components nobody listens to). */
export const silentLog: LogFn = () => undefined;
