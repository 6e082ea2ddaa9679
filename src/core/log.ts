/** How lower layers report: a level, a topic ("tcp", "chord", ...) and a message. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFn = (level: LogLevel, topic: string, message: string) => void;
export const silentLog: LogFn = () => {};
