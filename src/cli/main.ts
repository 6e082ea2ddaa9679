#!/usr/bin/env node
/** p2pterm's command line: the console (default), `node`, `tracker`. */
import { Command, Option } from 'commander';
import { addNodeOptions, intIn, normalizeNodeOptions } from './node-options.js';
import { addSimCommand } from './run-sim.js';
import { addServiceCommands } from './service-commands.js';
import { addLogOptions, openLogSink } from './log-options.js';
import { addConfigOption, installConfigHook } from './config-file.js';
import { addConfigCommand } from './config-command.js';
import { isExcessArguments, usageExit } from './usage-exit.js';

const program = new Command('p2pterm')
  .description('Peer-to-peer file sharing on a Chord ring, a naive ring or a tracker, with a full-screen console')
  .version('0.1.0')
  .showHelpAfterError('(p2pterm help COMMAND shows its flags)')
  .helpCommand('help [command]', 'show the help of a command')
  .exitOverride()
  .configureOutput({ outputError: (text, write) => (isExcessArguments(text) ? undefined : write(text)) })
  .enablePositionalOptions();

/** Adds the console's own flags and the action shared by `p2pterm` and `p2pterm node`. */
function nodeCommand(cmd: Command): Command {
  return addNodeOptions(cmd, 5500)
    .addOption(new Option('--theme <name>', 'console theme: dark, light, high-contrast, mono (remembered)'))
    .addOption(
      new Option('--refresh <hz>', 'console redraw limit per second (remembered)').argParser(intIn(1, 60, '--refresh')),
    )
    .option('--no-join', 'start alone: do not rejoin the last remembered peer')
    .option('--save', 'console: remember --dir, --data and the --max-* limits for later starts')
    .option('--record <file>', 'console: append every bus event to FILE (JSON lines; see `p2pterm replay`)')
    .action(async (raw, self: Command) => {
      // `--no-join` makes commander's join false: that is "no flag" for the node, "skip" for the console.
      const noJoin = raw.join === false;
      if (noJoin) delete raw.join;
      const o = normalizeNodeOptions(raw);
      // Each mode loads only what it needs (`--help` and `tracker` start fast).
      if (o.headless) return (await import('./run-node.js')).runHeadlessNode(o);
      const explicit = new Set(Object.keys(raw).filter((k) => self.getOptionValueSource(k) === 'cli'));
      const { runConsole } = await import('./run-console.js');
      return runConsole(o, {
        theme: raw.theme,
        refreshHz: raw.refresh,
        explicit,
        noJoin,
        record: raw.record,
        save: raw.save,
      });
    });
}

nodeCommand(
  program.command('node').description('run a ring member: the console, or the JSON-lines driver with --headless'),
);

const tracker = program
  .command('tracker')
  .description('run the tracker (P2P-CI/1.0 and the p2pterm protocol on one port)')
  .option('--host <host>', 'address to listen on', '0.0.0.0')
  .option('--port <port>', 'TCP port', intIn(0, 65535, '--port'), 7734)
  .option('--db <file>', "SQLite database file (default: in the user's data directory)")
  .option(
    '--liveness-ms <ms>',
    'a p2pterm peer silent this long is marked offline',
    intIn(100, 86_400_000, '--liveness-ms'),
    15_000,
  )
  .option(
    '--max-conns-per-ip <n>',
    'simultaneous connections per IP address',
    intIn(1, 100_000, '--max-conns-per-ip'),
    64,
  )
  .option('--secret-file <path>', 'serve only the private network of this secret (or P2PTERM_SECRET); no plain P2P-CI')
  .option('-v, --verbose', 'log debug lines too (--log-level debug)', false);
addConfigOption(addLogOptions(tracker)).action(async (o) => {
  const { runTracker } = await import('../tracker/tracker-main.js');
  const { resolveNetworkKey } = await import('./network-key-option.js');
  const sink = openLogSink(o);
  await runTracker({
    log: (level, message) => sink.write({ at: Date.now(), level, topic: 'tracker', message }),
    networkKey: resolveNetworkKey(o.secretFile),
    host: o.host,
    port: o.port,
    db: o.db,
    livenessMs: o.livenessMs,
    maxConnsPerIp: o.maxConnsPerIp,
    verbose: o.verbose,
  });
  await sink.close();
});

addSimCommand(program);

program
  .command('replay')
  .description('the console on a recording made with --record: play, pause, step rounds back and forth, jump')
  .argument('<file>', 'the recording (FILE or a rotated FILE.1.gz)')
  .option('--node <host:port>', 'the recorded node to show (a lab recording holds many; N cycles)')
  .option('--theme <name>', 'console theme')
  .action(async (file: string, o: { node?: string; theme?: string }) =>
    (await import('./run-replay.js')).runReplay(file, o),
  );
addServiceCommands(program);
addConfigCommand(program);
installConfigHook(program);

program
  .command('keygen')
  .description('write a fresh private-network secret (32 random bytes, hex, mode 0600) for --secret-file')
  .argument('<file>', 'where to write it')
  .option('--force', 'replace an existing file', false)
  .action(async (file: string, o: { force: boolean }) => {
    const { writeSecretFile } = await import('../transport/network-secret.js');
    await writeSecretFile(file, o.force);
    process.stdout.write(`wrote a new network secret to ${file}; give every member a copy (--secret-file)\n`);
  });

program
  .command('demo')
  .description('the console on a live local ring with a tracker and sample files (what `npm start` runs)')
  .option('--peers <n>', 'local peers besides the console', intIn(1, 32, '--peers'), 5)
  .option('--bits <m>', 'identifier width', intIn(4, 160, '--bits'), 16)
  .option('--port <port>', "the console node's port (0 picks a free one)", intIn(0, 65535, '--port'), 0)
  .option('--theme <name>', 'console theme')
  .action(async (o) => {
    const { runDemo } = await import('./run-demo.js');
    await runDemo({ peers: o.peers, bits: o.bits, port: o.port, theme: o.theme });
  });

program
  .command('paper')
  .description("the Chord paper's experiments on the node code: writes index.html (charts) and results.json")
  .option('--quick', 'small sizes (about 30 s)', false)
  .option('--full', "the paper's sizes and beyond (long)", false)
  .option('--out <dir>', 'report directory', 'paper-report')
  .option('--seed <s>', 'random seed', intIn(0, 2 ** 31, '--seed'), 1)
  .action(async (o) => (await import('../paper/paper-command.js')).runPaperCommand(o));

// No subcommand: the console on a node (`p2pterm --port 5500`).
nodeCommand(program);

program
  .command('version')
  .description('print the version')
  .action(() => void process.stdout.write(`${program.version()}\n`));

program.addHelpText(
  'after',
  `
Environment:
  P2PTERM_<FLAG>        a flag's value when not given (P2PTERM_PORT, P2PTERM_MAX_DOWN, …); then --config FILE
  P2PTERM_CONFIG_DIR    folder of the console's saved settings (default ~/.config/p2pterm)
  P2PTERM_SECRET        private network secret (hex) instead of --secret-file
  P2PTERM_THEME         console theme
  P2PTERM_ASCII         1: ASCII borders; 0: Unicode
  XDG_RUNTIME_DIR       where daemon control sockets go
  NO_COLOR              monochrome console
p2pterm config [flags] shows every effective setting and where it came from.`,
);

program.parseAsync(process.argv).catch((e: Error) => process.exit(usageExit(program, e)));
