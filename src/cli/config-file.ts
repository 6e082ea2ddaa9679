/**
 * Where each flag's value comes from: the command line, else the environment (`P2PTERM_` and the
 * flag's name, `--max-down` → `P2PTERM_MAX_DOWN`), else `--config FILE` (a JSON object keyed by
 * flag name, `"max-down"` or `"maxDown"`), else the default. Values from the environment and the
 * file go through the flag's own parser, so they are checked exactly as typed flags are.
 */
import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError, type Option } from 'commander';

export type Source = 'flag' | 'environment' | 'file' | 'default' | 'unset';

/**
 * The file's schema, loaded on first use: every start of the console passes through this module
 * before its first frame, and loading zod costs about 100 ms there; only `--config` needs it.
 */
async function configFileSchema() {
  const { z } = await import('zod');
  return z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
}

/** Flags that never come from the environment or the file. */
const NOT_CONFIGURABLE = new Set(['config', 'help', 'version']);

/** The `P2PTERM_…` variable of a flag. */
export function envName(o: Option): string {
  return `P2PTERM_${o
    .attributeName()
    .replace(/[A-Z]/g, (c) => `_${c}`)
    .toUpperCase()}`;
}

export async function readConfigFile(path: string): Promise<Record<string, string | number | boolean>> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InvalidArgumentError(`--config ${path}: ${(e as Error).message}`);
  }
  const parsed = (await configFileSchema()).safeParse(raw);
  if (!parsed.success) throw new InvalidArgumentError(`--config ${path}: expected a JSON object of flag values`);
  return parsed.data;
}

/** The value an option takes from text (or a JSON value), through its parser and choices. */
function parseValue(o: Option, value: string | number | boolean, where: string): unknown {
  if (typeof value === 'boolean' || (!o.required && !o.optional)) {
    if (typeof value === 'boolean') return o.negate ? !value : value;
    if (/^(1|true|yes|on)$/i.test(String(value))) return !o.negate;
    if (/^(0|false|no|off)$/i.test(String(value))) return o.negate;
    throw new InvalidArgumentError(`${where}: ${o.long} takes true or false`);
  }
  const text = String(value);
  if (o.argChoices && !o.argChoices.includes(text))
    throw new InvalidArgumentError(`${where}: ${o.long} must be one of ${o.argChoices.join(', ')}`);
  try {
    return o.parseArg ? o.parseArg(text, undefined) : text;
  } catch (e) {
    throw new InvalidArgumentError(`${where}: ${(e as Error).message}`);
  }
}

/**
 * Fills the flags not given on the command line from the environment and the --config file
 * (commander then reports 'env' and 'config' as their sources). Throws InvalidArgumentError on a
 * bad value, naming where it came from.
 */
export async function applyConfigSources(cmd: Command, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const configPath = cmd.getOptionValue('config') as string | undefined;
  const file = configPath ? await readConfigFile(configPath) : {};
  for (const o of cmd.options) {
    const key = o.attributeName();
    // `--no-join` shares `join` with `--join`: the positive flag reads the value.
    if (o.negate || NOT_CONFIGURABLE.has(key) || cmd.getOptionValueSource(key) === 'cli') continue;
    const fromEnv = env[envName(o)];
    const name = o.long?.replace(/^--(no-)?/, '') ?? key;
    const fromFile = file[name] ?? file[key];
    if (fromEnv !== undefined && fromEnv !== '')
      cmd.setOptionValueWithSource(key, parseValue(o, fromEnv, envName(o)), 'env');
    else if (fromFile !== undefined)
      cmd.setOptionValueWithSource(key, parseValue(o, fromFile, `--config ${configPath}`), 'config');
  }
}

export function sourceOf(cmd: Command, key: string): Source {
  const s = cmd.getOptionValueSource(key);
  if (s === 'cli') return 'flag';
  if (s === 'env') return 'environment';
  if (s === 'config') return 'file';
  return cmd.getOptionValue(key) === undefined ? 'unset' : 'default';
}

/** Every flag of `cmd` with its effective value and where it came from. */
export function effectiveSettings(cmd: Command): { flag: string; value: unknown; source: Source; env: string }[] {
  return cmd.options
    .filter((o) => !o.negate && !NOT_CONFIGURABLE.has(o.attributeName()) && o.long)
    .map((o) => ({
      flag: o.long!,
      value: cmd.getOptionValue(o.attributeName()),
      source: sourceOf(cmd, o.attributeName()),
      env: envName(o),
    }));
}

export function addConfigOption(cmd: Command): Command {
  return cmd.option('--config <file>', 'read flag values from this JSON file ({"port": 5500, "max-down": "2M"})');
}

/** Before each action: the environment and --config fill what the command line left out. */
export function installConfigHook(program: Command): void {
  program.hook('preAction', async (_program, action) => {
    try {
      await applyConfigSources(action);
    } catch (e) {
      if (!(e instanceof InvalidArgumentError)) throw e;
      action.error(`p2pterm: ${e.message}`, { exitCode: 2, code: 'commander.invalidArgument' });
    }
  });
}
