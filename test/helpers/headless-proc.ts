/** Runs `p2pterm ... --headless` as a child process and talks to it in JSON lines. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import * as readline from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
/** The sources, run through tsx (what tests run). */
export const SOURCE_ENTRY: readonly string[] = ['--import=tsx', MAIN];
/** The built CLI (`npm run build`): starts faster and lighter, what benchmarks with many processes run. */
export const BUILT_ENTRY: readonly string[] = [fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url))];

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/**
 * One JSON line from the child. Its shape depends on the command, and the tests read fields
 * straight off it, so it is deliberately untyped here (and in this one place only).
 */
// biome-ignore lint/suspicious/noExplicitAny: see above; each test checks the fields it reads
export type JsonLine = Record<string, any>;

export interface Proc {
  readonly child: ChildProcess;
  readonly stderr: string[];
  /** Sends one command line and resolves with its JSON reply. */
  cmd(line: string, ms?: number): Promise<JsonLine>;
  /** Resolves with the first stdout JSON line matching `pred`. */
  waitLine(pred: (o: JsonLine) => boolean, ms?: number): Promise<JsonLine>;
  exited(): Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
}

const all = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of all) c.kill('SIGKILL');
});

/**
 * Starts `p2pterm args`; `launcher` is a command line the child runs under (e.g.
 * `ip netns exec NS`, which execs it in place, so the child's pid is p2pterm's).
 */
export function startProc(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  launcher: readonly string[] = [],
  entry: readonly string[] = SOURCE_ENTRY,
): Proc {
  const argv = [process.execPath, ...entry, ...args];
  const [command, ...rest] = [...launcher, ...argv] as [string, ...string[]];
  const child = spawn(command, rest, {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  all.add(child);
  child.on('exit', () => all.delete(child));
  const lines: JsonLine[] = [];
  const waiters: { pred: (o: JsonLine) => boolean; resolve: (o: JsonLine) => void }[] = [];
  const stderr: string[] = [];
  readline.createInterface({ input: child.stdout! }).on('line', (l) => {
    let o: JsonLine;
    try {
      o = JSON.parse(l);
    } catch {
      o = { unparsable: l };
    }
    const w = waiters.find((x) => x.pred(o));
    if (w) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(o);
    } else lines.push(o);
  });
  readline.createInterface({ input: child.stderr! }).on('line', (l) => stderr.push(l));
  const waitLine = (pred: (o: JsonLine) => boolean, ms = 20_000) =>
    new Promise<JsonLine>((resolve, reject) => {
      const i = lines.findIndex(pred);
      if (i >= 0) return resolve(lines.splice(i, 1)[0]!);
      const timer = setTimeout(
        () => reject(new Error(`timeout waiting for a line; stderr: ${stderr.slice(-5).join(' | ')}`)),
        ms,
      );
      waiters.push({ pred, resolve: (o) => (clearTimeout(timer), resolve(o)) });
    });
  const exitP = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  // A write to a process that has exited fails with EPIPE; cmd() reports that exit instead.
  child.stdin!.on('error', (e) => stderr.push(`(stdin: ${e.message})`));
  return {
    child,
    stderr,
    cmd(line, ms) {
      const word = line.split(' ')[0];
      if (child.exitCode !== null || child.signalCode !== null) {
        const why = child.signalCode ?? `code ${child.exitCode}`;
        return Promise.reject(new Error(`exited (${why}) before "${line}"; stderr: ${stderr.slice(-3).join(' | ')}`));
      }
      child.stdin!.write(line + '\n');
      return waitLine((o) => o.cmd === word, ms);
    },
    waitLine,
    exited: () => exitP,
    kill: (signal = 'SIGKILL') => void child.kill(signal),
  };
}

/** Starts a headless node and waits for its `listening` line. */
export async function startNode(
  port: number,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = {},
  entry: readonly string[] = SOURCE_ENTRY,
): Promise<Proc & { id: string; address: string }> {
  const p = startProc(['node', '--headless', '--host', '127.0.0.1', '--port', String(port), ...extra], env, [], entry);
  const ev = await p.waitLine((o) => o.event === 'listening');
  return Object.assign(p, { id: ev.id as string, address: ev.address as string });
}
