/**
 * `p2pterm` / `p2pterm node` without --headless: starts a ring member on TCP, opens the
 * full-screen console on it, joins the bootstrap peer (flag, else the remembered one), and
 * restores the terminal on every way out (console-exit.ts).
 */
import { resolve } from 'node:path';
import { EventBus } from '../bus/event-bus.js';
import { DEFAULT_STABILIZE_MS } from '../core/constants.js';
import type { ChordNode } from '../dht/chord-node.js';
import { createConsole, type ConsoleApp, type ConsoleServices } from '../tui/app.js';
import type { LogLine } from '../tui/panes/log-pane.js';
import {
  type ConsoleSettings,
  type FlagValues,
  mergeFlags,
  openSettings,
  type SettingsStore,
} from '../tui/settings.js';
import { detectTerminal } from '../tui/terminal-caps.js';
import { listThemes } from '../tui/theme.js';
import type { CommandFn } from '../commands/command-fn.js';
import type { NodeCliOptions } from './node-options.js';
import { peerLimitsOf } from './limit-options.js';
import { joinHostPort } from '../wire/address.js';
import { nodeCommands, shutdownPeer } from './node-commands.js';
import type { Peer } from '../files/start-file-service.js';
import { newPeerNode } from '../files/peer-node.js';
import { attachFileService } from './attach-file-service.js';
import { formOwnRing, startVnodes, stopVnodes } from '../dht/vnode-group.js';
import { successorsFor } from './peer-options.js';
import { exitCode, installExitPaths, requireTerminal, restoreTerminal } from './console-exit.js';
import { limitsOf } from './rate-option.js';
import { attachLogSink } from './log-options.js';
import { dataDirFor } from './temp-data-dir.js';

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
  /** `--no-join`: do not rejoin the remembered peer. */
  readonly noJoin?: boolean;
  /** `--save`: remember --dir, --data and the --max-* limits too (otherwise they hold for this run only). */
  readonly save?: boolean;
  /** `--record FILE`: every bus event of the node goes to FILE (io/bus-recorder.ts). */
  readonly record?: string;
}

export async function runConsole(o: NodeCliOptions, extras: RunConsoleExtras = {}): Promise<void> {
  requireTerminal('p2pterm: the console needs a terminal; use `p2pterm node --headless` for scripts');
  const store = openSettings();
  const rejected: string[] = [];
  const { remembered, oneOff } = splitOneOff(flagsGiven(o, extras), extras.save === true);
  const settings = mergeFlags(store, remembered, (m) => rejected.push(m), oneOff);
  const started = startNode(o, settings);
  for (const message of rejected) started.early.push({ at: Date.now(), level: 'warn', topic: 'console', message });
  const node = started.peer.node;
  const vnodes = started.peer.vnodes;
  // With an explicit port the node has its id already: the screen comes first, then the
  // socket and the wire code behind it. With port 0 the id waits for the port.
  if (o.port === 0) await listenOrExit(o, vnodes, null);
  started.stopEarlyLog();
  // File commands join this map once the file service is up.
  const commands: Record<string, CommandFn> = { ...nodeCommands(node, vnodes), ...extras.commands };
  const app = openScreen(node, commands, store, settings, started.early, extras);
  if (o.port !== 0) await listenOrExit(o, vnodes, app);
  const recorder = extras.record ? await startRecording(extras.record, node, app) : null;
  let peer: Peer = { node, vnodes, files: null as never, stop: () => stopVnodes(vnodes) };
  const exit = installExitPaths({
    name: 'p2pterm',
    app,
    stop: () => shutdownPeer(peer),
    settings: store,
    cleanup: async () => {
      recorder?.close();
      await extras.cleanup?.();
      await started.logFile.close();
    },
  });
  await attachFileService(started.peer, commands, extras.commands ?? {}, (p) => (peer = p));
  await formOwnRing(vnodes).catch((e: Error) => node.log('error', 'ring', `virtual nodes: ${e.message}`));
  await rejoin(app, node, o.join, extras.noJoin ? undefined : settings.join);
  extras.afterStart?.(app);
  await exit(exitCode(await app.closed));
}

/**
 * Joins the `--join` peer, else the remembered one, and says so (a start that joins a peer
 * nobody named on the command line is not silent: the log and the hint line tell, with --no-join).
 */
async function rejoin(app: ConsoleApp, node: ChordNode, flag: string | undefined, remembered: string | undefined) {
  const bootstrap = flag ?? remembered;
  if (!bootstrap || bootstrap === node.snapshot().address) return;
  if (!flag) {
    const why = `joining ${bootstrap}, the peer remembered from last time (start with --no-join to stay alone)`;
    node.bus.emit('log:line', { at: Date.now(), level: 'info', topic: 'console', message: why });
    app.say(why);
  }
  await app.runCommand(`join ${bootstrap}`, { quiet: true });
}

/** `--record FILE`: the recorder, or (logged) none when the file cannot be written. */
async function startRecording(path: string, node: ChordNode, app: ConsoleApp) {
  const [{ BusRecorder }, { recordable }] = await Promise.all([
    import('../io/bus-recorder.js'),
    import('../dht/recordable-node.js'),
  ]);
  try {
    const recorder = new BusRecorder(resolve(path));
    recorder.watch(recordable(node));
    node.log('info', 'console', `recording every event to ${resolve(path)} (replay: p2pterm replay ${path})`);
    return recorder;
  } catch (e) {
    app.say(`cannot record to ${path}: ${(e as Error).message}`, 'error');
    node.log('error', 'console', `cannot record to ${path}: ${(e as Error).message}`);
    return null;
  }
}

/** The ring member, not yet listening; its log lines are kept until the log pane exists. */
function startNode(o: NodeCliOptions, settings: ConsoleSettings) {
  const bus = new EventBus();
  const early: LogLine[] = [];
  const stopEarlyLog = bus.on('log:line', (l) => void early.push(l));
  // The screen owns the terminal: --log-file is the only copy outside the log pane.
  const logFile = attachLogSink(bus, o, { stderr: null });
  const peer = newPeerNode({
    host: o.host,
    port: o.port,
    advertise: o.advertise,
    bits: o.bits,
    routing: o.routing,
    successors: successorsFor(o.successors, o.vnodes),
    vnodes: o.vnodes,
    stabilizeMs: settings.stabilizeMs,
    backoff: o.backoff,
    bus,
    dir: settings.dir ?? o.dir,
    dataDir: dataDirFor(o.port, settings.data ?? o.data).data,
    limits: limitsOf(settings),
    tracker: settings.tracker ?? o.tracker,
    networkKey: o.networkKey,
    peerLimits: peerLimitsOf(o),
    storeQuota: o.peerQuota,
  });
  return { peer, early, stopEarlyLog, logFile };
}

/** Opens the port, or leaves with exit code 2 (after restoring the terminal when the screen is up). */
async function listenOrExit(o: NodeCliOptions, vnodes: readonly ChordNode[], app: ConsoleApp | null): Promise<void> {
  try {
    await startVnodes(vnodes);
  } catch (e) {
    if (app) restoreTerminal(app);
    process.stderr.write(`p2pterm: cannot listen on ${joinHostPort(o.host, o.port)}: ${(e as Error).message}\n`);
    process.exit(2);
  }
}

function openScreen(
  node: ChordNode,
  commands: Record<string, CommandFn>,
  store: SettingsStore,
  settings: ConsoleSettings,
  early: LogLine[],
  extras: RunConsoleExtras,
): ConsoleApp {
  const caps = detectTerminal();
  const theme = pickTheme(settings.theme, caps.colors);
  if (theme.warning) early.push({ at: Date.now(), level: 'warn', topic: 'console', message: theme.warning });
  const app = createConsole({
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
  return app;
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
    maxDown: o.maxDown,
    maxUp: o.maxUp,
    maxTransfers: o.maxTransfers,
  };
}

/** Folders and limits given once hold for this run; they are remembered only with --save. */
const ONE_OFF_KEYS = ['dir', 'data', 'maxDown', 'maxUp', 'maxTransfers'] as const;

export function splitOneOff(flags: FlagValues, save: boolean): { remembered: FlagValues; oneOff: FlagValues } {
  if (save) return { remembered: flags, oneOff: {} };
  const remembered: Record<string, unknown> = { ...flags };
  const oneOff: Record<string, unknown> = {};
  for (const k of ONE_OFF_KEYS) {
    oneOff[k] = flags[k];
    delete remembered[k];
  }
  return { remembered, oneOff };
}

function pickTheme(name: ConsoleSettings['theme'], colors: 256 | 16 | 0): { name: string; warning?: string } {
  if (colors === 0) return { name: 'mono' };
  if (listThemes().includes(name)) return { name };
  return { name: 'dark', warning: `unknown theme "${name}"; using dark (available: ${listThemes().join(', ')})` };
}
