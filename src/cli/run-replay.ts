/**
 * `p2pterm replay FILE`: the console on a recording (`--record FILE`), read-only. The panes show
 * the recorded node as it was at the replayed moment; keys play, pause, step one stabilization
 * round forward or back and change the speed, `:jump T` goes to a time.
 */
import { createConsole, type ConsoleApp } from '../tui/app.js';
import { readRecording } from '../tui/replay-model.js';
import { ReplayPlayer } from '../tui/replay-player.js';
import { replayCommands, replayKeys, replayPosition } from '../tui/replay-keys.js';
import { memorySettings, openSettings } from '../tui/settings.js';
import { detectTerminal } from '../tui/terminal-caps.js';
import { listThemes } from '../tui/theme.js';
import { exitCode, installExitPaths, requireTerminal } from './console-exit.js';

export interface ReplayCliOptions {
  readonly node?: string;
  readonly theme?: string;
}

export async function runReplay(file: string, o: ReplayCliOptions): Promise<void> {
  requireTerminal('p2pterm replay: the replay needs a terminal');
  let rec: ReturnType<typeof readRecording>;
  try {
    rec = readRecording(file);
  } catch (e) {
    process.stderr.write(`p2pterm replay: cannot read ${file}: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const address = o.node ?? [...rec.nodes.keys()][0];
  if (!address || !rec.nodes.has(address)) {
    const known = [...rec.nodes.keys()].join(', ') || 'none';
    process.stderr.write(`p2pterm replay: no node ${o.node ?? ''} in ${file} (recorded: ${known})\n`);
    process.exit(2);
  }
  let app: ConsoleApp | null = null;
  const player = new ReplayPlayer(rec, address, (node) => app?.showNode(node));
  // Read-only: the stored theme and mouse setting are used, nothing is written back.
  const stored = openSettings();
  const theme = o.theme && listThemes().includes(o.theme) ? o.theme : stored.get('theme');
  app = createConsole({
    node: player.node,
    commands: replayCommands(player),
    theme: listThemes().includes(theme) ? theme : 'dark',
    settings: memorySettings({ mouse: stored.get('mouse'), refreshHz: stored.get('refreshHz') }),
    caps: detectTerminal(),
    keys: replayKeys(player, () => app!),
  });
  app.renderNow();
  app.say(`${replayPosition(player)}  (P play, ] [ rounds, :jump T)`);
  const exit = installExitPaths({ name: 'p2pterm replay', app, stop: async () => player.close() });
  await exit(exitCode(await app.closed));
}
