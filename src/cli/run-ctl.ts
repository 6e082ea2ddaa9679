/**
 * `p2pterm ctl [--name N | --socket PATH] [--json] COMMAND [ARGS…]`: one headless command on a
 * running daemon. With --json it prints the headless driver's JSON reply (and transfer events
 * before it); otherwise a readable form, with a progress bar on a terminal.
 * Exit codes: 0 ok, 1 the operation failed, 2 usage error, 3 no daemon to talk to.
 */
import { formatReply } from '../tui/format-reply.js';
import { P2pError } from '../wire/errors.js';
import { ControlClient } from './control-client.js';
import { pickSocket } from './control-socket-path.js';
import { progressView } from './ctl-progress.js';
import { unknownCommandMessage } from './did-you-mean.js';

export interface CtlOptions {
  readonly name?: string;
  readonly socket?: string;
  readonly json: boolean;
}

export const EXIT = { ok: 0, failed: 1, usage: 2, noDaemon: 3 } as const;

export async function runCtl(words: readonly string[], o: CtlOptions): Promise<number> {
  const [cmd, ...args] = words;
  if (!cmd) return usageError('a command is needed, e.g. `p2pterm ctl state`');
  const client = await connectOrNull(pickSocket(o));
  if (!client) return EXIT.noDaemon;
  try {
    const progress = progressView(o.json);
    client.onEvent((m) => progress.onMessage(m));
    const hello = await client.subscribe(false);
    if (!hello.commands.includes(cmd)) return usageError(unknownCommandMessage(cmd, hello.commands));
    const reply = await client.command(cmd, args).finally(() => progress.stop());
    print(reply, o.json);
    if (reply.ok) return EXIT.ok;
    return reply.code === 'USAGE' ? EXIT.usage : EXIT.failed;
  } catch (e) {
    process.stderr.write(`p2pterm ctl: ${(e as Error).message}\n`);
    return e instanceof P2pError && e.code === 'NO_DAEMON' ? EXIT.noDaemon : EXIT.failed;
  } finally {
    client.close();
  }
}

async function connectOrNull(path: string): Promise<ControlClient | null> {
  try {
    return await ControlClient.connect(path);
  } catch (e) {
    process.stderr.write(`p2pterm ctl: ${(e as Error).message}\n`);
    return null;
  }
}

function usageError(message: string): number {
  process.stderr.write(`p2pterm ctl: ${message}\n`);
  return EXIT.usage;
}

function print(reply: Record<string, unknown>, json: boolean): void {
  if (json) return void process.stdout.write(`${JSON.stringify(reply)}\n`);
  const { cmd, ok, error, code, ...rest } = reply;
  if (!ok)
    return void process.stderr.write(
      `p2pterm ctl: ${String(cmd)}: ${String(error)}${code ? ` (${String(code)})` : ''}\n`,
    );
  const lines = formatReply(rest);
  process.stdout.write(lines.length ? `${lines.join('\n')}\n` : 'ok\n');
}
