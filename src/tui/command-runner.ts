/**
 * The `:` command line's dispatcher: console built-ins first (quit, help, settings, theme,
 * set, clear), then the node's command map, generically, so commands added to that map later
 * work here unchanged. Replies are logged and shown readably; errors never escape silently.
 */
import type { CommandFn } from '../commands/command-fn.js';
import { P2pError } from '../wire/errors.js';
import { formatReply, splitWords } from './format-reply.js';

export interface Builtin {
  readonly usage: string;
  readonly help: string;
  readonly run: (args: string[]) => void | Promise<void>;
}

export interface CommandRunnerDeps {
  readonly commands: Readonly<Record<string, CommandFn>>;
  readonly builtins: Readonly<Record<string, Builtin>>;
  readonly log: (level: 'info' | 'warn' | 'error', message: string) => void;
  readonly say: (text: string, level?: 'info' | 'error') => void;
  /** Shows a reply with content (title, readable lines). */
  readonly showReply: (title: string, lines: string[]) => void;
  /** Called after a node command succeeded (the console remembers the join peer). */
  readonly onSuccess?: (cmd: string, args: readonly string[], reply: Record<string, unknown>) => void;
}

/** Commands that move a file: while one runs (even before its transfer is registered), quitting asks first. */
const TRANSFER_COMMANDS: ReadonlySet<string> = new Set(['get', 'put', 'share']);

export class CommandRunner {
  private transfersStarting = 0;

  constructor(private readonly deps: CommandRunnerDeps) {}

  /** `get`, `put` and `share` commands still running. */
  get transfersInFlight(): number {
    return this.transfersStarting;
  }

  /** Every name the command line knows, sorted (completion, help). */
  names(): string[] {
    return [...new Set([...Object.keys(this.deps.builtins), ...Object.keys(this.deps.commands)])].sort();
  }

  has(name: string): boolean {
    return Object.hasOwn(this.deps.builtins, name) || Object.hasOwn(this.deps.commands, name);
  }

  /**
   * Runs one line; resolves when the command finished (its errors are reported, not thrown).
   * `quiet` (commands the console runs by itself) logs the reply instead of opening it.
   */
  async run(line: string, opts: { quiet?: boolean } = {}): Promise<void> {
    const words = splitWords(line.trim());
    if (words.length === 0) return;
    const [cmd, ...args] = words as [string, ...string[]];
    if (Object.hasOwn(this.deps.builtins, cmd)) return void (await this.deps.builtins[cmd]!.run(args));
    const fn = Object.hasOwn(this.deps.commands, cmd) ? this.deps.commands[cmd] : undefined;
    if (!fn) return this.fail(line, `unknown command "${cmd}"; try: ${this.names().join(', ')}`);
    this.deps.log('info', `> ${line}`);
    this.deps.say(`${cmd}...`);
    let reply: Record<string, unknown>;
    const moving = TRANSFER_COMMANDS.has(cmd);
    if (moving) this.transfersStarting++;
    try {
      reply = await fn(args);
    } catch (e) {
      // In parentheses, not brackets: `[USAGE]` would read as an optional argument.
      const code = e instanceof P2pError ? ` (code ${e.code})` : '';
      return this.fail(line, `${cmd}: ${(e as Error).message}${code}`);
    } finally {
      if (moving) this.transfersStarting--;
    }
    this.deps.onSuccess?.(cmd, args, reply);
    // A command that ran but found something wrong (a storm with wrong owners) says so instead of "ok".
    if (typeof reply.problem === 'string') return this.fail(line, `${cmd}: ${reply.problem}`);
    const body = Object.fromEntries(Object.entries(reply).filter(([k]) => k !== 'cmd' && k !== 'ok'));
    const lines = Object.keys(body).length ? formatReply(body) : [];
    this.deps.log(
      'info',
      `${cmd}: ok${lines.length ? ` (${lines.length} ${lines.length === 1 ? 'line' : 'lines'})` : ''}`,
    );
    this.deps.say(`${cmd}: ok`);
    if (lines.length && !opts.quiet) this.deps.showReply(`:${line.trim()}`, lines);
  }

  private fail(line: string, message: string): void {
    this.deps.log('error', `> ${line}: ${message}`);
    this.deps.say(message, 'error');
  }
}
