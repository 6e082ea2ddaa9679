/** Starts the full-screen console for a node. */
import type { NodeCliOptions } from './node-options.js';

export async function runConsole(_o: NodeCliOptions): Promise<void> {
  process.stderr.write('p2pterm: the console is not available in this build; use --headless\n');
  process.exit(2);
}
