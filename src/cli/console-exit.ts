/**
 * The one way out of every full-screen front end (the console, the lab, the demo). Every exit
 * restores the terminal first: `q` and Ctrl-C (the console closes), SIGINT, SIGTERM, SIGHUP and
 * SIGQUIT, and uncaught exceptions and rejections, whose error is printed once the screen is
 * gone (exit code 1). Then what runs behind the screen stops within a bound, the settings are
 * saved, the caller's cleanup runs, and the process exits; a hard deadline ends it regardless.
 */
import type { ConsoleApp, QuitReason } from '../tui/app.js';
import type { SettingsStore } from '../tui/settings.js';

export interface ExitPathOptions {
  /** Prefix of what is printed after the screen is gone ("p2pterm", "p2pterm sim"). */
  readonly name: string;
  /** The console; its destroy() restores the terminal. */
  readonly app: Pick<ConsoleApp, 'destroy'>;
  /** Stops what runs behind the screen (leave the ring, close the lab); given at most `stopMs`. */
  readonly stop: () => Promise<void>;
  /** Saved after `stop`; a failed save is printed. */
  readonly settings?: SettingsStore;
  /** Runs last (the demo removes its peers and folder); a failure is printed. */
  readonly cleanup?: () => Promise<void>;
  /** Most ms `stop` may take before the exit goes on without it. Default 6000. */
  readonly stopMs?: number;
  /** Most ms the whole exit may take before the process ends anyway. Default 12000. */
  readonly hardMs?: number;
}

/** A full-screen front end without a terminal on both ends: says so and exits with code 2. */
export function requireTerminal(message: string): void {
  if (process.stdout.isTTY && process.stdin.isTTY) return;
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

/** Exit code of a console that closed for `reason`: Ctrl-C is 130, as shells expect of an interrupt. */
export function exitCode(reason: QuitReason): number {
  return reason === 'error' ? 1 : reason === 'interrupt' ? 130 : 0;
}

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'] as const;

/**
 * Installs the signal and crash handlers (they replace blessed's own: blessed steps aside when
 * another listener exists) and returns the exit itself, for when the console closed.
 */
export function installExitPaths(o: ExitPathOptions): (code: number) => Promise<void> {
  let exiting = false;
  const exit = async (code: number, hangup = false): Promise<void> => {
    if (exiting) return;
    exiting = true;
    restoreTerminal(o.app);
    const end = () => (hangup ? dieOfHangup() : process.exit(code));
    // A hard stop in case leaving the ring hangs.
    setTimeout(end, o.hardMs ?? 12_000).unref();
    await stopWithin(o.stop, o.stopMs ?? 6000);
    await o.settings?.flush().catch((e: Error) => printAfterScreen(o.name, `settings not saved: ${e.message}`));
    await o.cleanup?.().catch((e: Error) => printAfterScreen(o.name, `cleanup: ${e.message}`));
    end();
  };
  const onError = (e: unknown) => {
    restoreTerminal(o.app);
    // The terminal went away (SSH dropped, tmux killed): nothing to print to; leave as on SIGHUP.
    if (isGoneTerminal(e)) return void exit(0, true);
    printAfterScreen(o.name, `uncaught error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    if (exiting) process.exit(1);
    void exit(1);
  };
  for (const sig of SIGNALS) process.on(sig, () => void exit(sig === 'SIGINT' ? 130 : 0, sig === 'SIGHUP'));
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return exit;
}

/** Restores the terminal; safe to call more than once and on a terminal that is gone. */
export function restoreTerminal(app: Pick<ConsoleApp, 'destroy'>): void {
  try {
    app.destroy();
  } catch {
    // Restoring a terminal that is gone can throw (EIO); the process is leaving anyway.
  }
}

/** Prints a line on stderr once the screen is gone. */
export function printAfterScreen(name: string, message: string): void {
  process.stderr.write(`${name}: ${message}\n`);
}

async function stopWithin(stop: () => Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((r) => (timer = setTimeout(r, ms)));
  // Stopping is best effort on the way out: a member that just goes away is repaired by the ring.
  const stopped = stop().catch(() => undefined);
  await Promise.race([stopped, bound]);
  clearTimeout(timer);
}

/**
 * The terminal is gone: process.exit() would trip Node's stdio reset on the dead tty (an
 * assertion and a core dump), so end the way a hung-up process conventionally does.
 */
function dieOfHangup(): void {
  process.removeAllListeners('SIGHUP');
  process.kill(process.pid, 'SIGHUP');
}

function isGoneTerminal(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code === 'EIO' || code === 'EPIPE' || code === 'ENXIO';
}
