/**
 * `p2pterm config [flags]`: the effective settings of a node started with the same flags, each
 * with where it came from (flag, environment, file, default), and the console's saved settings.
 */
import type { Command } from 'commander';
import { effectiveSettings } from './config-file.js';
import { addNodeOptions } from './node-options.js';

function show(value: unknown): string {
  if (value === undefined) return '(not set)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function addConfigCommand(program: Command): void {
  const cmd = program
    .command('config')
    .description('print the effective settings (for the same flags) and where each came from');
  addNodeOptions(cmd, 5500)
    .option('--json', 'one JSON object', false)
    .action(async (o: { json: boolean }, self: Command) => {
      const { openSettings } = await import('../tui/settings.js');
      const flags = effectiveSettings(self).filter((f) => f.flag !== '--json');
      const store = openSettings();
      const saved: Record<string, unknown> = {};
      for (const key of ['theme', 'join', 'tracker', 'dir', 'data', 'maxDown', 'maxUp', 'maxTransfers'] as const)
        saved[key] = store.get(key);
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ flags, saved: { path: store.path, values: saved } })}\n`);
        return;
      }
      const width = Math.max(...flags.map((f) => f.flag.length));
      for (const f of flags) process.stdout.write(`${f.flag.padEnd(width)}  ${show(f.value)}  (${f.source})\n`);
      process.stdout.write(`\nconsole settings saved in ${store.path} (used by the console when no flag is given):\n`);
      for (const [k, v] of Object.entries(saved)) process.stdout.write(`  ${k}: ${show(v)}\n`);
    });
}
