/**
 * `p2pterm daemon`, `p2pterm attach` and `p2pterm ctl`: the node as a service, consoles that
 * attach and detach, and one-shot commands (see run-daemon.ts, run-attach.ts, run-ctl.ts).
 */
import { type Command, Option } from 'commander';
import { daemonName } from './control-socket-path.js';
import { addConfigOption } from './config-file.js';
import { addNodeOptions, intIn, normalizeNodeOptions } from './node-options.js';

/** --name and --socket: which daemon. */
function addSocketOptions(cmd: Command): Command {
  if (!cmd.options.some((o) => o.long === '--config')) addConfigOption(cmd);
  return cmd
    .addOption(
      new Option('--name <name>', 'the daemon\'s name: several run side by side ("default")').argParser(daemonName),
    )
    .option('--socket <path>', 'the control socket itself (instead of --name)');
}

export function addServiceCommands(program: Command): void {
  const daemon = program
    .command('daemon')
    .description('run a node without a screen, reachable through a control socket (attach, ctl)');
  addSocketOptions(addNodeOptions(daemon, 5500))
    .option(
      '--serve-tracker <port>',
      'also run a tracker on this port (0: a free one)',
      intIn(0, 65535, '--serve-tracker'),
    )
    .option('--allow-alone', 'when --join fails, run alone instead of exiting with code 2', false)
    .action(async (raw) => {
      const { runDaemon } = await import('./run-daemon.js');
      await runDaemon({
        ...normalizeNodeOptions(raw),
        name: raw.name,
        socket: raw.socket,
        serveTracker: raw.serveTracker,
        allowAlone: raw.allowAlone,
      });
    });

  addSocketOptions(program.command('attach').description('open the console on a running daemon (d detaches)'))
    .option('--theme <name>', 'console theme')
    .action(async (o) => (await import('./run-attach.js')).runAttach(o));

  addSocketOptions(
    program
      .command('ctl')
      .description('run one command on a running daemon (state, lookup K, put PATH, get NAME, stop, …)')
      .argument('<command>', 'a headless command')
      .argument('[args...]', 'its arguments')
      .passThroughOptions(),
  )
    .option('--json', 'print the JSON reply (and transfer progress events) as the headless driver does', false)
    .action(async (cmd: string, args: string[], o) => {
      const { runCtl } = await import('./run-ctl.js');
      process.exitCode = await runCtl([cmd, ...args], o);
    });
}
