/** The options of `p2pterm sim`, shared by the headless scenario and the lab console. */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { LabTransport } from '../bus/lab-events.js';
import type { Routing } from '../core/chord-state.js';
import type { ScenarioOptions } from '../sim/sim-scenario.js';
import { MAX_VNODES } from '../core/constants.js';
import { intIn } from './node-options.js';

export interface SimCliOptions extends ScenarioOptions {
  readonly nodes: number;
  /** `--vnodes V`: virtual nodes per host (`--nodes` then counts hosts). */
  readonly vnodes: number;
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
  /** `--record FILE`: every node's bus events (cli/lab-recording.ts). */
  readonly record?: string;
}

/** The ring the lab builds, from the command line. */
export function labOptions(o: SimCliOptions) {
  return {
    nodes: o.nodes,
    vnodes: o.vnodes,
    bits: o.bits,
    routing: o.routing,
    transport: o.transport,
    seed: o.seed,
    stabilizeMs: o.stabilizeMs,
    successors: o.successors,
  };
}

/** The ring's shape and the console's flags. */
export function addRingOptions(cmd: Command): Command {
  return cmd
    .option('--nodes <n>', 'ring size to build (hosts, with --vnodes)', intIn(1, 100_000, '--nodes'), 32)
    .option(
      '--vnodes <v>',
      'virtual nodes per host: the ring is --nodes hosts of V points each (memory transport)',
      intIn(1, MAX_VNODES - 1, '--vnodes'),
      1,
    )
    .option('--record <file>', 'record every node (memory transport) to FILE for `p2pterm replay`')
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
    .option('--theme <name>', 'console theme');
}

/** --headless and what the scenario does. */
export function addScenarioOptions(cmd: Command): Command {
  return cmd
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
    );
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
