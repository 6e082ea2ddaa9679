/**
 * How the command line ends on a parse error or a failure: help and --version exit 0, usage
 * errors (commander already printed them) exit 2, a mistyped command gets "did you mean …"
 * instead of "too many arguments", anything else is printed and exits 1.
 */
import { type Command, CommanderError } from 'commander';
import { unknownCommandMessage } from './did-you-mean.js';

const OK_CODES = new Set([
  'commander.helpDisplayed',
  'commander.help',
  'commander.version',
  'commander.executeSubCommandAsync',
]);

export function usageExit(program: Command, e: Error): number {
  if (!(e instanceof CommanderError)) {
    process.stderr.write(`p2pterm: ${e.message}\n`);
    return 1;
  }
  if (OK_CODES.has(e.code)) return 0;
  if (e.code === 'commander.excessArguments') {
    const names = program.commands.map((c) => c.name());
    const [word, second] = program.args.filter((a) => !a.startsWith('-'));
    if (word && !names.includes(word)) process.stderr.write(`p2pterm: ${unknownCommandMessage(word, names)}\n`);
    else process.stderr.write(`p2pterm ${word}: unexpected argument "${second ?? ''}"\n`);
  }
  return 2;
}

/** Commander's "too many arguments" (replaced by the message above). */
export function isExcessArguments(text: string): boolean {
  return /too many arguments/.test(text);
}
