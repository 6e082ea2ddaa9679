/**
 * `p2pterm attach [--name N | --socket PATH]`: the full console on a running daemon. The panes
 * are fed by the events the daemon streams (recent history first), and commands go back over
 * the socket. `d` detaches; so do `q`, closing the terminal and a dropped SSH session: the
 * daemon and its transfers keep running.
 */
import type { CommandFn } from '../commands/command-fn.js';
import { createConsole, type ConsoleApp } from '../tui/app.js';
import type { KeyBinding } from '../tui/keymap.js';
import { openSettings } from '../tui/settings.js';
import { detectTerminal } from '../tui/terminal-caps.js';
import { listThemes } from '../tui/theme.js';
import { P2pError } from '../wire/errors.js';
import { exitCode, installExitPaths, requireTerminal } from './console-exit.js';
import { ControlClient } from './control-client.js';
import type { ControlMessage, Hello } from './control-protocol.js';
import { pickSocket } from './control-socket-path.js';
import { RemoteNode } from './remote-node.js';

export interface AttachOptions {
  readonly name?: string;
  readonly socket?: string;
  readonly theme?: string;
}

export async function runAttach(o: AttachOptions): Promise<void> {
  requireTerminal('p2pterm attach: the console needs a terminal; use `p2pterm ctl` for scripts');
  const path = pickSocket(o);
  const { client, hello, node } = await connectOrExit(path);
  const settings = openSettings();
  const caps = detectTerminal();
  const wanted = o.theme ?? process.env.P2PTERM_THEME ?? settings.get('theme');
  let app: ConsoleApp | null = null;
  const detach: KeyBinding = {
    keys: ['D'],
    help: 'detach: close this console, the daemon keeps running',
    hint: 'detach',
    run: () => app?.quit('quit'),
  };
  app = createConsole({
    node,
    commands: remoteCommands(client, hello.commands),
    theme: caps.colors === 0 ? 'mono' : listThemes().includes(wanted) ? wanted : 'dark',
    settings,
    caps,
    keys: [detach],
  });
  node.replay(hello.history);
  node.bus.emit('log:line', {
    at: Date.now(),
    level: 'info',
    topic: 'console',
    message: `attached to the daemon on ${path} (pid ${hello.pid}); d detaches, the daemon keeps running`,
  });
  app.renderNow();
  const exit = installExitPaths({ name: 'p2pterm attach', app, stop: async () => client.close(), settings });
  let lost = false;
  client.onClose(() => {
    lost = true;
    app?.quit('error');
  });
  const reason = await app.closed;
  if (lost) process.stderr.write(`p2pterm attach: the daemon on ${path} went away\n`);
  else process.stderr.write(`p2pterm attach: detached; the daemon keeps running (p2pterm attach to come back)\n`);
  await exit(exitCode(reason));
}

async function connectOrExit(path: string): Promise<{ client: ControlClient; hello: Hello; node: RemoteNode }> {
  try {
    const client = await ControlClient.connect(path);
    // Events pushed right after the hello queue until the node exists, then on the node until the panes listen.
    const early: ControlMessage[] = [];
    let node: RemoteNode | null = null;
    client.onEvent((m) => (node ? node.apply(m) : early.push(m)));
    const hello = await client.subscribe(true);
    node = new RemoteNode(client, hello.state);
    for (const m of early) node.apply(m);
    return { client, hello, node };
  } catch (e) {
    process.stderr.write(`p2pterm attach: ${(e as Error).message}\n`);
    process.exit(e instanceof P2pError && e.code === 'NO_DAEMON' ? 3 : 1);
  }
}

/** The daemon's commands, run over the socket; a failed one throws like a local command would. */
function remoteCommands(client: ControlClient, names: readonly string[]): Record<string, CommandFn> {
  const out: Record<string, CommandFn> = {};
  for (const name of names)
    out[name] = async (args) => {
      const { cmd: _cmd, ok, error, code, ...rest } = await client.command(name, args);
      if (!ok) throw new P2pError(typeof code === 'string' ? code : 'FAILED', String(error));
      return rest;
    };
  return out;
}
