/**
 * The lab console on a terminal: builds the lab with the screen already up (big rings show
 * their build progress), starts the clock, and restores the terminal on every way out
 * (console-exit.ts).
 */
import { openLabConsole } from '../tui/lab-console.js';
import { RingLab } from '../tui/ring-lab.js';
import { openSettings, type SettingsStore } from '../tui/settings.js';
import { detectTerminal } from '../tui/terminal-caps.js';
import { listThemes } from '../tui/theme.js';
import { exitCode, installExitPaths } from './console-exit.js';
import { labOptions, type SimCliOptions } from './sim-options.js';
import { labRecording } from './lab-recording.js';

/** Quitting the lab stays quick: closing even a big ring takes well under this. */
const LAB_STOP_MS = 2000;
const LAB_HARD_MS = 3000;

export async function runLabConsole(o: SimCliOptions): Promise<void> {
  const caps = detectTerminal();
  const settings = openSettings();
  // Start with a one-node ring so the screen is up at once, then build the real one in it.
  const recording = await labRecording(o.record);
  const lab = await RingLab.create({ ...labOptions(o), nodes: 1, onNode: recording.onNode });
  lab.setSpeed(o.speed);
  lab.start();
  const app = openLabConsole(lab, { theme: pickTheme(o, settings, caps.colors), settings, caps });
  const exit = installExitPaths({
    name: 'p2pterm sim',
    app,
    stop: () => lab.close(),
    cleanup: async () => recording.close(),
    settings,
    stopMs: LAB_STOP_MS,
    hardMs: LAB_HARD_MS,
  });
  void lab
    .fresh({ nodes: o.nodes })
    .then(() => lab.storm(Math.min(1000, o.lookups ?? 1000)))
    .catch((e: Error) => lab.log('error', `build failed: ${e.message}`));
  await exit(exitCode(await app.closed));
}

/** The flag, else P2PTERM_THEME, else the remembered theme; mono without colours, dark when unknown. */
function pickTheme(o: SimCliOptions, settings: SettingsStore, colors: 256 | 16 | 0): string {
  const wanted = o.theme ?? process.env.P2PTERM_THEME ?? settings.get('theme');
  if (colors === 0) return 'mono';
  return listThemes().includes(wanted) ? wanted : 'dark';
}
