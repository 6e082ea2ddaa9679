/** The log pane's `w`: its scrollback as plain text lines in a file. */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { BusEvents } from '../bus/events.js';

type LogLine = BusEvents['log:line'];

/** `p2pterm-log-20250102-150405.txt`: the file name offered when none is typed. */
export function defaultLogFileName(at: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const day = `${at.getFullYear()}${p(at.getMonth() + 1)}${p(at.getDate())}`;
  return `p2pterm-log-${day}-${p(at.getHours())}${p(at.getMinutes())}${p(at.getSeconds())}.txt`;
}

export function logText(lines: readonly LogLine[]): string {
  return lines.map((l) => `${new Date(l.at).toISOString()} ${l.level.padEnd(5)} ${l.topic}: ${l.message}\n`).join('');
}

/** Writes the lines to `path` (relative to the current directory); resolves to the absolute path. */
export async function saveLog(lines: readonly LogLine[], path: string, cwd: string = process.cwd()): Promise<string> {
  const full = resolve(cwd, path);
  await writeFile(full, logText(lines), { flag: 'w' });
  return full;
}
