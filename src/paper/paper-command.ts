/**
 * `p2pterm paper`: runs the Chord paper's experiments on p2pterm's own node code (virtual
 * clock, in-memory transport), writes the report directory and prints a short summary on
 * stdout; progress goes to stderr.
 */
import { resolve } from 'node:path';
import { paperConfig, type Preset } from './paper-config.js';
import { runPaper } from './run-paper.js';
import { summaryText } from './summary-text.js';
import { writeReport } from './write-report.js';

export interface PaperCommandOptions {
  readonly quick?: boolean;
  readonly full?: boolean;
  /** Report directory (default ./paper-report). */
  readonly out?: string;
  readonly seed?: number;
  /** No progress lines on stderr. */
  readonly quiet?: boolean;
}

export const DEFAULT_REPORT_DIR = 'paper-report';

export function presetOf(o: PaperCommandOptions): Preset {
  if (o.quick && o.full) throw new Error('choose one of --quick and --full');
  return o.quick ? 'quick' : o.full ? 'full' : 'default';
}

export async function runPaperCommand(o: PaperCommandOptions): Promise<void> {
  const config = paperConfig(presetOf(o), o.seed ?? 1);
  const dir = resolve(o.out ?? DEFAULT_REPORT_DIR);
  const progress = o.quiet ? undefined : (line: string) => void process.stderr.write(`paper: ${line}\n`);
  const results = await runPaper(config, progress);
  await writeReport(dir, results);
  process.stdout.write(summaryText(results, dir));
}
