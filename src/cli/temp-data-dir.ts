/**
 * Runs with `--port 0` get a new address, hence a new node id and a new state folder, on every
 * start: without --data they keep their state in a temporary folder removed on the way out,
 * instead of leaving one folder behind per run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DataDirChoice {
  /** The folder to use, or undefined for the usual default. */
  readonly data?: string;
  /** Removes the temporary folder (nothing when there is none). Never throws. */
  remove(): void;
}

export function dataDirFor(port: number, data: string | undefined): DataDirChoice {
  if (data !== undefined || port !== 0) return { data, remove: () => undefined };
  const temp = mkdtempSync(join(tmpdir(), 'p2pterm-data-'));
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    try {
      rmSync(temp, { recursive: true, force: true });
    } catch (e) {
      process.stderr.write(`p2pterm: could not remove the temporary state folder ${temp}: ${(e as Error).message}\n`);
    }
  };
  // A way out that skips the shutdown path (process.exit in an error path) still cleans up.
  process.once('exit', remove);
  return { data: temp, remove };
}
