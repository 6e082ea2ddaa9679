/**
 * `p2pterm` / `p2pterm node` without --headless: starts a ring member on TCP, opens the
 * full-screen console on it, joins the bootstrap peer (flag, else the remembered one), and
 * restores the terminal on every way out: q, Ctrl-C, SIGTERM/SIGHUP, and uncaught exceptions
 * (printed after the screen is gone, exit code 1).
 */
import { resolve } from 'node:path';
import { EventBus } from '../bus/event-bus.js';
import { DEFAULT_STABILIZE_MS } from '../core/constants.js';
import { createConsole, type ConsoleApp, type ConsoleServices } from '../tui/app.js';
import type { LogLine } from '../tui/panes/log-pane.js';
import { mergeFlags, openSettings, type ConsoleSettings, type FlagValues } from '../tui/settings.js';
import { detectTerminal } from '../tui/terminal-caps.js';
import { listThemes } from '../tui/theme.js';
import type { CommandFn } from '../commands/command-fn.js';
import type { NodeCliOptions } from './node-options.js';
import { nodeCommands, shutdownPeer } from './node-commands.js';
import type { Peer } from '../files/start-file-service.js';
import { newPeerNode } from '../files/peer-node.js';

export interface RunConsoleExtras {
  /** `--theme NAME` (also read from `o.theme` when the CLI adds that flag, and P2PTERM_THEME). */
  readonly theme?: string;
  /** `--refresh HZ`. */
  readonly refreshHz?: number;
  /** Option names given on the command line (commander's getOptionValueSource === 'cli'); else guessed from defaults. */
  readonly explicit?: ReadonlySet<string>;
  /** Commands added by services (put, get, share, ...), merged over the node's. */
  readonly commands?: Readonly<Record<string, CommandFn>>;
  readonly services?: ConsoleServices;
  /** Runs once the console is up (the demo uses it to start a first download). */
  readonly afterStart?: (app: ConsoleApp) => void;
  /** Awaited on every way out, after the node left and before the process exits. */
  readonly cleanup?: () => Promise<void>;
}

export async function runConsole(o: NodeCliOptions, extras: RunConsoleExtras = {}): Promise<void> {
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    process.stderr.write('p2pterm: the console needs a terminal; use `p2pterm node --headless` for scripts\n');
    process.exit(2);
  }
  const store = openSettings();
  const settings = mergeFlags(store, flagsGiven(o, extras));
  const caps = detectTerminal();
  const theme = pickTheme(settings.theme, caps.colors);

  const bus = new EventBus();
  const early: LogLine[] = [];
  const stopEarly = bus.on('log:line', (l) => void early.push(l));
  const started = newPeerNode({
    host: o.host,
    port: o.port,
    bits: o.bits,
    routing: o.routing,
    successors: o.successors,
    stabilizeMs: settings.stabilizeMs,
    backoff: o.backoff,
    bus,
    dir: settings.dir ?? o.dir,
    dataDir: settings.data ?? o.data,
    tracker: settings.tracker ?? o.tracker,
  });
  const node = started.node;
  // With an explicit port the node has its id already: the screen comes first, then the
  // socket and the wire code behind it. With port 0 the id waits for the port.
  let app: ConsoleApp | null = null;
  const listen = async (): Promise<void> => {
    try {
      await node.start();
    } catch (e) {
      if (app) restore(app);
      process.stderr.write(`p2pterm: cannot listen on ${o.host}:${o.port}: ${(e as Error).message}\n`);
      process.exit(2);
    }
  };
  if (o.port === 0) await listen();
  stopEarly();
  if (theme.warning) early.push({ at: Date.now(), level: 'warn', topic: 'console', message: theme.warning });

  // File commands join this map once the file service is up.
  const commands: Record<string, CommandFn> = { ...nodeCommands(node), ...extras.commands };
  app = createConsole({
    node,
    commands,
    theme: theme.name,
    settings: store,
    caps,
    initialLog: early,
    refreshHz: settings.refreshHz,
    services: extras.services,
  });
  app.renderNow();
  if (o.port !== 0) await listen();
  let peer: Peer = { node, files: null as never, stop: () => node.stop() };
  const exit = installExitPaths(
    app,
    () => peer,
    async () => {
      await store.flush().catch((e: Error) => process.stderr.write(`p2pterm: settings not saved: ${e.message}\n`));
      await extras.cleanup?.();
    },
  );
  try {
    const { attachFiles } = await import('../files/start-file-service.js');
    const { fileCommands } = await import('../files/file-commands.js');
    peer = await attachFiles(started);
    Object.assign(commands, fileCommands(peer.files), extras.commands);
    peer.files.publishState();
  } catch (e) {
    node.log('error', 'files', `the file service did not start: ${(e as Error).message}`);
  }
  const bootstrap = o.join ?? settings.join;
  if (bootstrap && bootstrap !== node.snapshot().address) await app.runCommand(`join ${bootstrap}`, { quiet: true });
  extras.afterStart?.(app);
  const reason = await app.closed;
  await exit(reason === 'error' ? 1 : 0);
}

/** Flags that were given on the command line; these win over, and replace, the stored settings. */
function flagsGiven(o: NodeCliOptions, extras: RunConsoleExtras): FlagValues {
  const given = (key: string, guess: boolean) => (extras.explicit ? extras.explicit.has(key) : guess);
  const oTheme = (o as NodeCliOptions & { theme?: string }).theme;
  return {
    theme: extras.theme ?? oTheme ?? process.env.P2PTERM_THEME,
    join: o.join,
    tracker: o.tracker,
    dir: given('dir', o.dir !== resolve(process.cwd())) ? o.dir : undefined,
    data: o.data,
    refreshHz: extras.refreshHz,
    stabilizeMs: given('stabilizeMs', o.stabilizeMs !== DEFAULT_STABILIZE_MS) ? o.stabilizeMs : undefined,
  };
}

function pickTheme(name: ConsoleSettings['theme'], colors: 256 | 16 | 0): { name: string; warning?: string } {
  if (colors === 0) return { name: 'mono' };
  if (listThemes().includes(name)) return { name };
  return { name: 'dark', warning: `unknown theme "${name}"; using dark (available: ${listThemes().join(', ')})` };
}

/**
 * Every way out restores the terminal first. Signals and uncaught errors replace blessed's own
 * handlers (blessed steps aside when another listener exists).
 */
function installExitPaths(
  app: ConsoleApp,
  peer: () => Peer,
  cleanup?: () => Promise<void>,
): (code: number) => Promise<void> {
  let exiting = false;
  const exit = async (code: number, hangup = false) => {
    if (exiting) return;
    exiting = true;
    restore(app);
    const end = () => (hangup ? dieOfHangup() : process.exit(code));
    // A hard stop in case leaving the ring hangs.
    setTimeout(end, 12_000).unref();
    await Promise.race([shutdownPeer(peer()).catch(() => {}), new Promise((r) => setTimeout(r, 6000))]);
    await cleanup?.().catch((e) => process.stderr.write(`p2pterm: cleanup: ${(e as Error).message}\n`));
    end();
  };
  const onSignal = (sig: NodeJS.Signals) => void exit(0, sig === 'SIGHUP');
  const onError = (e: unknown) => {
    restore(app);
    // The terminal went away (SSH dropped, tmux killed): nothing to print to; leave as on SIGHUP.
    if (isGoneTerminal(e)) return void exit(0, true);
    process.stderr.write(`p2pterm: uncaught error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    if (exiting) process.exit(1);
    void exit(1);
  };
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'] as const) process.on(sig, onSignal);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return exit;
}

/**
 * The terminal is gone: process.exit() would trip Node's stdio reset on the dead tty (an
 * assertion and a core dump), so end the way a hung-up process conventionally does.
 */
function dieOfHangup(): void {
  process.removeAllListeners('SIGHUP');
  process.kill(process.pid, 'SIGHUP');
}

function restore(app: ConsoleApp): void {
  try {
    app.destroy();
  } catch {
    // Restoring a terminal that is gone can throw (EIO); the process is leaving anyway.
  }
}

function isGoneTerminal(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code === 'EIO' || code === 'EPIPE' || code === 'ENXIO';
}
