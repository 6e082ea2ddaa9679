#!/usr/bin/env node
/** p2pterm's command line: the console (default), `node`, `tracker`, `sim`, `demo`. */
import { Command } from 'commander';
import { addNodeOptions, normalizeNodeOptions } from './node-options.js';
import { runHeadlessNode } from './run-node.js';

const program = new Command('p2pterm')
  .description('Peer-to-peer file sharing on a Chord ring, a naive ring or a tracker, with a full-screen console')
  .version('0.1.0')
  .showHelpAfterError();

addNodeOptions(program.command('node').description('run a ring member (add --headless for the JSON-lines driver)'), 5500).action(async (raw) => {
  const o = normalizeNodeOptions(raw);
  if (o.headless) return runHeadlessNode(o);
  const { runConsole } = await import('./run-console.js');
  return runConsole(o);
});

program.parseAsync(process.argv).catch((e: Error) => {
  process.stderr.write(`p2pterm: ${e.message}\n`);
  process.exit(1);
});
