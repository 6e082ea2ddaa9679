/**
 * The headless driver: one command per stdin line, exactly one JSON reply per command on
 * stdout (`cmd`, `ok`, and `error` when not ok). Logs go to stderr. Commands run one at a
 * time, in order.
 */
import * as readline from 'node:readline';
import { P2pError } from '../wire/errors.js';

import type { CommandFn } from '../commands/command-fn.js';

export type { CommandFn };

export interface HeadlessOptions {
  readonly commands: Record<string, CommandFn>;
  /** Ignore stdin (a long-running service); otherwise EOF behaves like `quit`. */
  readonly ignoreStdin?: boolean;
  /** Stops the node; called on `quit`, EOF and signals. */
  readonly shutdown: () => Promise<void>;
  readonly out?: NodeJS.WritableStream;
  readonly input?: NodeJS.ReadableStream;
}

export function printJson(obj: unknown, out: NodeJS.WritableStream = process.stdout): void {
  out.write(JSON.stringify(obj) + '\n');
}

export async function runHeadless(opts: HeadlessOptions): Promise<void> {
  const out = opts.out ?? process.stdout;
  let quitting = false;
  const quit = async (code: number) => {
    if (quitting) return;
    quitting = true;
    await opts.shutdown().catch((e) => process.stderr.write(`shutdown: ${(e as Error).message}\n`));
    process.exitCode = code;
    // Let stdout drain before exiting.
    out.write('', () => process.exit(code));
  };
  // Ctrl-C: 130, as shells expect of an interrupt.
  process.once('SIGINT', () => void quit(130));
  process.once('SIGTERM', () => void quit(0));
  if (opts.ignoreStdin) return;
  readCommands(opts, out, () => quitting, quit);
}

/** One command per line, run in order; EOF quits like `quit`. */
function readCommands(
  opts: HeadlessOptions,
  out: NodeJS.WritableStream,
  quitting: () => boolean,
  quit: (code: number) => Promise<void>,
): void {
  const rl = readline.createInterface({ input: opts.input ?? process.stdin, terminal: false });
  let chain = Promise.resolve();
  rl.on('line', (line) => {
    chain = chain.then(() => (quitting() ? undefined : runLine(opts.commands, line, out, quit)));
  });
  rl.on('close', () => {
    chain = chain.then(() => quit(0));
  });
}

async function runLine(
  commands: Record<string, CommandFn>,
  line: string,
  out: NodeJS.WritableStream,
  quit: (code: number) => Promise<void>,
): Promise<void> {
  const words = line.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return;
  const [cmd, ...args] = words as [string, ...string[]];
  if (cmd === 'quit' || cmd === 'exit') {
    printJson({ cmd, ok: true }, out);
    return quit(0);
  }
  printJson(await execute(commands, cmd, args), out);
}

/** Runs one command: its reply with `cmd` and `ok`, or `error` (and `code`) when it failed. */
export async function execute(
  commands: Record<string, CommandFn>,
  cmd: string,
  args: string[],
): Promise<Record<string, unknown>> {
  const fn = Object.hasOwn(commands, cmd) ? commands[cmd] : undefined;
  if (!fn)
    return {
      cmd,
      ok: false,
      error: `unknown command "${cmd}"; try: ${Object.keys(commands).concat('quit').join(', ')}`,
    };
  try {
    return { cmd, ok: true, ...(await fn(args)) };
  } catch (e) {
    const err = e as Error;
    return { cmd, ok: false, error: err.message, ...(e instanceof P2pError ? { code: e.code } : {}) };
  }
}
