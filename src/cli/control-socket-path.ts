/**
 * Where a daemon's control socket lives: `$XDG_RUNTIME_DIR/p2pterm/<name>.sock`, else
 * `${XDG_DATA_HOME:-~/.local/share}/p2pterm/run/<name>.sock`. The folder is made 0700 and the
 * socket 0600, so other users on the host cannot open it.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';

export const DEFAULT_DAEMON_NAME = 'default';

/** A daemon name: letters, digits, dot, dash, underscore (it becomes a file name). */
export function daemonName(value: string): string {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(value) || value.startsWith('.'))
    throw new InvalidArgumentError('a name of letters, digits, ".", "-" or "_" (1..64, not starting with ".")');
  return value;
}

export function controlSocketPath(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime) return join(runtime, 'p2pterm', `${name}.sock`);
  const data = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(data, 'p2pterm', 'run', `${name}.sock`);
}

/** `--socket PATH` wins over `--name N`. */
export function pickSocket(o: { socket?: string; name?: string }): string {
  return o.socket ? resolve(o.socket) : controlSocketPath(o.name ?? DEFAULT_DAEMON_NAME);
}

/** Makes the socket's folder, readable by its owner only. */
export function prepareSocketDir(path: string): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}
