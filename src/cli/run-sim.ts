/**
 * `p2pterm sim`: the ring lab. With a terminal it opens the lab console; with --headless it
 * runs a scenario (sim-scenario.ts), prints JSON lines (--json) or readable lines, and exits 0.
 */
import type { Command } from 'commander';
import { requireTerminal } from './console-exit.js';
import { labRecording } from './lab-recording.js';
import { addRingOptions, addScenarioOptions, labOptions, type SimCliOptions } from './sim-options.js';

export function addSimCommand(program: Command): Command {
  const cmd = program
    .command('sim')
    .description('the ring lab: a whole Chord (or naive) ring in one process, with the console or --headless');
  return addScenarioOptions(addRingOptions(cmd)).action(async (raw) =>
    runSim({ ...raw, partitionMs: raw.partition, convergeLimitMs: raw.convergeLimit } as SimCliOptions),
  );
}

export async function runSim(o: SimCliOptions): Promise<void> {
  if (o.transport === 'tcp' && (o.loss !== undefined || o.latency !== undefined || o.partitionMs !== undefined)) {
    process.stderr.write('p2pterm sim: --loss, --latency and --partition need --transport memory\n');
    process.exit(2);
  }
  if (o.transport === 'tcp' && o.vnodes > 1) {
    process.stderr.write('p2pterm sim: --vnodes needs --transport memory\n');
    process.exit(2);
  }
  if (o.headless) return runHeadlessSim(o);
  requireTerminal('p2pterm sim: the lab console needs a terminal; use --headless --json for scripts');
  const { runLabConsole } = await import('./run-lab-console.js');
  return runLabConsole(o);
}

async function runHeadlessSim(o: SimCliOptions): Promise<void> {
  const print = o.json
    ? (l: Record<string, unknown>) => process.stdout.write(JSON.stringify(l) + '\n')
    : (l: Record<string, unknown>) => process.stdout.write(readable(l) + '\n');
  const [{ Lab }, { runScenario }] = await Promise.all([import('../sim/lab.js'), import('../sim/sim-scenario.js')]);
  const recording = await labRecording(o.record);
  const lab = await Lab.create({ ...labOptions(o), onNode: recording.onNode });
  lab.bus.on('log:line', (l) => l.level !== 'info' && process.stderr.write(`${l.level}: ${l.message}\n`));
  await runScenario(lab, { ...o, latencyMs: o.latency }, print);
  await lab.close();
  recording.close();
  process.exit(0);
}

function readable(l: Record<string, unknown>): string {
  const { event, histogram, ...rest } = l;
  void histogram;
  return `${String(event)}: ${Object.entries(rest)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ')}`;
}
