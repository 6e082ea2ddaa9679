/**
 * The lab console on a terminal: builds the lab with the screen already up (big rings show
 * their build progress), starts the clock, and restores the terminal on every way out.
 */
import { RingLab } from '../sim/lab.js';
import { openLabConsole } from '../tui/lab-console.js';
import { openSettings } from '../tui/settings.js';
import { detectTerminal } from '../tui/terminal-caps.js';
import { listThemes } from '../tui/theme.js';
import { labOptions, type SimCliOptions } from './run-sim.js';

export async function runLabConsole(o: SimCliOptions): Promise<void> {
  const caps = detectTerminal();
  const settings = openSettings();
  const wanted = o.theme ?? process.env.P2PTERM_THEME ?? settings.get('theme');
  const theme = caps.colors === 0 ? 'mono' : listThemes().includes(wanted) ? wanted : 'dark';
  // Start with a one-node ring so the screen is up at once, then build the real one in it.
  const lab = await RingLab.create({ ...labOptions(o), nodes: 1 });
  lab.setSpeed(o.speed);
  lab.start();
  const app = openLabConsole(lab, { theme, settings, caps });
  let exiting = false;
  const exit = async (code: number) => {
    if (exiting) return;
    exiting = true;
    try {
      app.destroy();
    } catch {
      // the terminal may be gone already
    }
    setTimeout(() => process.exit(code), 3000).unref();
    await lab.close().catch(() => {});
    await settings.flush().catch((e: Error) => process.stderr.write(`p2pterm sim: settings not saved: ${e.message}\n`));
    process.exit(code);
  };
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => void exit(0));
  const onError = (e: unknown) => {
    // The terminal went away (tmux killed, SSH dropped): nothing to print to.
    const code = (e as NodeJS.ErrnoException | null)?.code;
    if (code === 'EIO' || code === 'EPIPE' || code === 'ENXIO') return void exit(0);
    try {
      app.destroy();
    } catch {
      // ignore
    }
    process.stderr.write(`p2pterm sim: uncaught error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    void exit(1);
  };
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  void lab
    .fresh({ nodes: o.nodes })
    .then(() => lab.storm(Math.min(1000, o.lookups ?? 1000)))
    .catch((e: Error) => lab.log('error', `build failed: ${e.message}`));
  const reason = await app.closed;
  await exit(reason === 'error' ? 1 : 0);
}
