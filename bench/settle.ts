/** Helpers the benchmarks share for runs measured in rounds. */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

/** Deletes a run's output and flushes the disk, so the next run starts from the same state. */
export function settleDisk(path: string): void {
  rmSync(path, { recursive: true, force: true });
  execFileSync('sync');
}

/** The middle value (the upper one of an even count). */
export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
