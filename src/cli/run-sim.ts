/**
 * `p2pterm sim`: the ring lab. With a terminal it opens the lab console; with --headless it
 * runs a scenario (sim-scenario.ts), prints JSON lines (--json) or readable lines, and exits 0.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Routing } from '../core/chord-state.js';
import type { LabTransport } from '../bus/lab-events.js';
import type { ScenarioOptions } from '../sim/sim-scenario.js';
import { intIn } from './node-options.js';

export interface SimCliOptions extends ScenarioOptions {
  readonly nodes: number;
  readonly bits: number;
  readonly routing: Routing;
  readonly transport: LabTransport;
  readonly seed: number;
  readonly stabilizeMs: number;
  readonly successors: number;
  readonly headless: boolean;
  readonly json: boolean;
  readonly speed: number;
  readonly theme?: string;
  /** `--latency MS` (becomes the scenario's latencyMs). */
  readonly latency?: number;
}

function fraction(what: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError(`${what} must be a fraction in [0, 1)`);
    return n;
  };
}

function positive(what: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${what} must be a positive number`);
    return n;
  };
}

export function addSimCommand(program: Command): Command {
  return program
    .command('sim')
    .description('the ring lab: a whole Chord (or naive) ring in one process, with the console or --headless')
    .option('--nodes <n>', 'ring size to build', intIn(1, 100_000, '--nodes'), 32)
    .option('--bits <m>', 'identifier width in bits', intIn(4, 160, '--bits'), 32)
    .addOption(new Option('--routing <kind>', 'routing').choices(['chord', 'naive']).default('chord'))
    .addOption(
      new Option('--transport <kind>', 'memory (virtual time) or tcp (loopback, real time)')
        .choices(['memory', 'tcp'])
        .default('memory'),
    )
    .option('--seed <s>', 'random seed (rings and scenarios are reproducible)', intIn(0, 2 ** 31, '--seed'), 7)
    .option('--stabilize-ms <ms>', 'stabilization interval', intIn(10, 60_000, '--stabilize-ms'), 500)
    .option('--successors <r>', 'successor-list length', intIn(1, 64, '--successors'), 8)
    .option('--speed <x>', 'console: virtual ms per real ms', positive('--speed'), 1)
    .option('--theme <name>', 'console theme')
    .option('--headless', 'run a scenario without a screen and exit', false)
    .option('--json', 'with --headless: print JSON lines', false)
    .option('--lookups <k>', 'lookups per storm', intIn(1, 1_000_000, '--lookups'), 1000)
    .option('--join <n>', 'scenario: N nodes join at once', intIn(1, 100_000, '--join'))
    .option('--crash <fraction>', 'scenario: crash this fraction of the nodes', fraction('--crash'))
    .option('--leave <fraction>', 'scenario: this fraction leaves gracefully', fraction('--leave'))
    .option('--loss <p>', 'scenario: message loss probability (memory)', fraction('--loss'))
    .option('--latency <ms>', 'scenario: one-way latency in ms (memory)', intIn(0, 60_000, '--latency'))
    .option(
      '--partition <ms>',
      'scenario: split in two halves for MS, then heal (memory)',
      intIn(1, 3_600_000, '--partition'),
    )
    .option(
      '--converge-limit <ms>',
      'scenario: most time to wait for convergence per step',
      intIn(100, 3_600_000, '--converge-limit'),
      120_000,
    )
    .action(async (raw) =>
      runSim({ ...raw, partitionMs: raw.partition, convergeLimitMs: raw.convergeLimit } as SimCliOptions),
    );
}

export async function runSim(o: SimCliOptions): Promise<void> {
  if (o.transport === 'tcp' && (o.loss !== undefined || o.latency !== undefined || o.partitionMs !== undefined)) {
    process.stderr.write('p2pterm sim: --loss, --latency and --partition need --transport memory\n');
    process.exit(2);
  }
  if (o.headless) return runHeadlessSim(o);
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    process.stderr.write('p2pterm sim: the lab console needs a terminal; use --headless --json for scripts\n');
    process.exit(2);
  }
  const { runLabConsole } = await import('./run-lab-console.js');
  return runLabConsole(o);
}

export function labOptions(o: SimCliOptions) {
  return {
    nodes: o.nodes,
    bits: o.bits,
    routing: o.routing,
    transport: o.transport,
    seed: o.seed,
    stabilizeMs: o.stabilizeMs,
    successors: o.successors,
  };
}

async function runHeadlessSim(o: SimCliOptions): Promise<void> {
  const print = o.json
    ? (l: Record<string, unknown>) => process.stdout.write(JSON.stringify(l) + '\n')
    : (l: Record<string, unknown>) => process.stdout.write(readable(l) + '\n');
  const [{ RingLab }, { runScenario }] = await Promise.all([import('../sim/lab.js'), import('../sim/sim-scenario.js')]);
  const lab = await RingLab.create(labOptions(o));
  lab.bus.on('log:line', (l) => l.level !== 'info' && process.stderr.write(`${l.level}: ${l.message}\n`));
  await runScenario(lab, { ...o, latencyMs: o.latency }, print);
  await lab.close();
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
