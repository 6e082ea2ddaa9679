/** The command line's own commands (quit, help, settings, theme, set, clear), before the node's. */
import type { CommandFn } from '../commands/command-fn.js';
import { type Builtin, CommandRunner } from './command-runner.js';
import { SETTING_FIELDS, type SettingField, type SettingsStore } from './settings.js';
import { changeSetting } from './setting-change.js';
import { listThemes } from './theme.js';

export interface BuiltinActions {
  readonly settings: SettingsStore;
  quit(): void;
  openHelp(): void;
  openSettings(): void;
  clearLog(): void;
  say(text: string, level?: 'info' | 'error'): void;
  themeName(): string;
  setTheme(name: string): void;
  /** Applies a changed setting live (see setting-change.ts). */
  apply(f: SettingField, value: unknown): string | void;
}

export interface ConsoleRunnerDeps extends BuiltinActions {
  /** The node's command map (and what services add). */
  readonly commands: Readonly<Record<string, CommandFn>>;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** Shows a reply with content (title, readable lines). */
  showReply(title: string, lines: string[]): void;
}

/** The `:` command line's runner: these built-ins, then the node's commands; a successful join is remembered. */
export function consoleRunner(d: ConsoleRunnerDeps): CommandRunner {
  return new CommandRunner({
    commands: d.commands,
    builtins: builtinCommands(d),
    log: (level, message) => d.log(level, message),
    say: (text, level) => d.say(text, level),
    showReply: (title, lines) => d.showReply(title, lines),
    onSuccess: (cmd, args) => {
      if (cmd === 'join' && args[0]) d.settings.set('join', args[0]);
    },
  });
}

export function builtinCommands(a: BuiltinActions, debug = process.env.P2PTERM_DEBUG === '1'): Record<string, Builtin> {
  const builtins: Record<string, Builtin> = {
    quit: { usage: 'quit', help: 'quit the console (asks if transfers run)', run: () => a.quit() },
    help: { usage: 'help', help: 'keys and commands', run: () => a.openHelp() },
    settings: { usage: 'settings', help: 'see and edit the remembered settings', run: () => a.openSettings() },
    theme: { usage: 'theme [NAME]', help: 'switch theme (and remember it)', run: ([name]) => themeCommand(a, name) },
    set: {
      usage: 'set KEY VALUE',
      help: 'change a setting: theme, join, tracker, dir, data, refreshHz, stabilizeMs, mouse',
      run: (args) => setCommand(a, args),
    },
    clear: { usage: 'clear', help: 'clear the log pane', run: () => a.clearLog() },
  };
  if (debug) builtins.crash = CRASH;
  return builtins;
}

/** Lets the end-to-end tests prove an uncaught exception restores the terminal (P2PTERM_DEBUG=1). */
const CRASH: Builtin = {
  usage: 'crash',
  help: 'throw an uncaught exception (debug)',
  run: () =>
    void setTimeout(() => {
      throw new Error('p2pterm debug crash');
    }, 0),
};

function themeCommand(a: BuiltinActions, name: string | undefined): void {
  if (!name) return a.say(`themes: ${listThemes().join(', ')} (current: ${a.themeName()})`);
  a.setTheme(name);
  a.settings.set('theme', name);
  a.say(`theme ${name}`);
}

function setCommand(a: BuiltinActions, [key, ...rest]: string[]): void {
  const f = SETTING_FIELDS.find((x) => x.key === key);
  if (!f)
    return a.say(`set: unknown setting "${key ?? ''}"; one of ${SETTING_FIELDS.map((x) => x.key).join(', ')}`, 'error');
  try {
    a.say(`${f.key} = ${changeSetting(f, rest.join(' '), a.apply, a.settings)}`);
  } catch (e) {
    a.say(`set ${key}: ${(e as Error).message}`, 'error');
  }
}
