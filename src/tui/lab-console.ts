/**
 * The console on a ring lab (`p2pterm sim`): the node console's panes showing the selected
 * node, the lab's ring map over the whole ring, the lab pane, the lab's keys (everywhere) and
 * its `:` commands. Keys go through the same commands, so errors are reported one way.
 */
import type { Widgets } from 'blessed';
import { createConsole, type ConsoleApp } from './app.js';
import type { KeyBinding } from './keymap.js';
import { labCommands } from './lab-commands.js';
import { LabPane } from './panes/lab-pane.js';
import { LabRingPane } from './panes/lab-ring-pane.js';
import type { LogLine } from './panes/log-pane.js';
import type { RingLab } from './ring-lab.js';
import type { SettingsStore } from './settings.js';
import type { TerminalCaps } from './terminal-caps.js';

export interface LabConsoleOptions {
  readonly theme: string;
  readonly settings: SettingsStore;
  readonly caps?: TerminalCaps;
  readonly input?: NodeJS.ReadableStream;
  readonly output?: NodeJS.WritableStream;
  readonly captureStdio?: boolean;
  readonly refreshHz?: number;
  readonly screenOptions?: Widgets.IScreenOptions;
  readonly initialLog?: readonly LogLine[];
}

/**
 * The lab's keys: none of them is used by a pane, so they work whichever pane has focus.
 * `vnodes` > 1: joins, crashes and leaves act on hosts, and the help says so.
 */
export function labKeys(run: (line: string) => void, vnodes = 1): KeyBinding[] {
  const unit = vnodes > 1 ? `hosts (${vnodes} virtual nodes each)` : 'nodes';
  const sel = vnodes > 1 ? "the selected node's host" : 'the selected node';
  return [
    { keys: ['a'], help: `add 8 ${unit} (concurrent joins); :add N for more`, hint: 'add', run: () => run('add 8') },
    { keys: ['x'], help: `crash ${sel}`, hint: 'crash', run: () => run('crash') },
    { keys: ['X'], help: `crash a random 25% of the ${unit}`, run: () => run('crash 0.25') },
    { keys: ['e'], help: `${sel} leaves gracefully`, hint: 'leave', run: () => run('leave') },
    { keys: ['E'], help: `a random 10% of the ${unit} leave gracefully`, run: () => run('leave 0.1') },
    { keys: ['w'], help: 'partition: split the ring into two halves', hint: 'split', run: () => run('partition 2') },
    { keys: ['W'], help: 'heal the partition', hint: 'heal', run: () => run('heal') },
    { keys: ['r'], help: 'lookup storm: 1000 lookups from random nodes', hint: 'storm', run: () => run('storm 1000') },
    { keys: ['t'], help: 'pause / resume the whole ring clock', hint: 'time', run: () => run('pause') },
    { keys: ['>'], help: 'step the clock one stabilization interval', run: () => run('step') },
    { keys: [']'], help: 'clock twice as fast', run: () => run('speed x2') },
    { keys: ['['], help: 'clock half as fast', run: () => run('speed /2') },
    { keys: ['J'], help: 'select the next node (every pane follows)', run: () => run('select next') },
    { keys: ['K'], help: 'select the previous node', run: () => run('select prev') },
    { keys: ['n'], help: 'fresh ring with the other routing (chord <-> naive)', run: () => run('fresh') },
  ];
}

export function openLabConsole(lab: RingLab, opts: LabConsoleOptions): ConsoleApp {
  const base = labCommands(lab);
  // Relative forms (`select next`, `speed x2`) used by the keys and typed alike: they read well in the log.
  const commands = {
    ...base,
    speed: (a: string[]) =>
      base.speed!([a[0] === 'x2' ? String(lab.clock.speed * 2) : a[0] === '/2' ? String(lab.clock.speed / 2) : a[0]!]),
    select: async (a: string[]) => {
      if (a[0] === 'next' || a[0] === 'prev') return (lab.select({ delta: a[0] === 'next' ? 1 : -1 }), {});
      return base.select!(a);
    },
  };
  let app: ConsoleApp | null = null;
  const run = (line: string) => void app?.runCommand(line);
  const keys = labKeys(run, lab.vnodes);
  app = createConsole({
    node: lab.selected,
    commands,
    theme: opts.theme,
    settings: opts.settings,
    caps: opts.caps,
    input: opts.input,
    output: opts.output,
    captureStdio: opts.captureStdio,
    refreshHz: opts.refreshHz,
    screenOptions: opts.screenOptions,
    initialLog: opts.initialLog,
    lab: {
      bus: lab.bus,
      node: () => lab.selected,
      panes: (ctx) => ({ ring: new LabRingPane(ctx, lab), lab: new LabPane(ctx, lab, keys) }),
      // Global copies without help text: the lab pane lists them once in its help.
      keys: keys.map((k) => ({ ...k, help: '', hint: undefined })),
    },
  });
  return app;
}
