/**
 * End to end in a real terminal (tmux, private -L socket): a daemon runs; a console attaches,
 * starts a transfer, detaches with `D`; the transfer completes while no console is open; a
 * console attached again shows it in its history. Hanging up the terminal also detaches.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startProc } from '../helpers/headless-proc.js';
import { waitFor } from '../helpers/wait.js';

const SOCKET = `p2pterm-attach-${process.pid}`;
const SIZE = 4 * 1024 * 1024;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8', stdio: 'pipe' });
}

async function until(session: string, ok: (screen: string) => boolean, what: string, ms = 20_000): Promise<string> {
  const end = Date.now() + ms;
  let screen = '';
  while (Date.now() < end) {
    screen = tmux('capture-pane', '-p', '-t', session);
    if (ok(screen)) return screen;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; screen was:\n${screen}`);
}

function openShell(session: string, env: Record<string, string>): void {
  const e = Object.entries({ PS1: '$ ', LANG: 'C.UTF-8', TERM: 'xterm-256color', ...env }).flatMap(([k, v]) => [
    '-e',
    `${k}=${v}`,
  ]);
  tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '48', ...e, 'bash --norc --noprofile');
}

function attach(session: string): void {
  tmux('send-keys', '-t', session, `cd ${ROOT} && node --import=tsx src/cli/main.ts attach; echo EXITED $?`, 'Enter');
}

test.serial('attach, start a transfer, detach; it completes detached and shows after re-attaching', async (t) => {
  try {
    execFileSync('tmux', ['-V']);
  } catch {
    return t.fail('tmux is required for this test (apt-get install tmux)');
  }
  const root = mkdtempSync(join(tmpdir(), 'p2pterm-attach-'));
  const env = { XDG_RUNTIME_DIR: join(root, 'run'), P2PTERM_CONFIG_DIR: join(root, 'config') };
  // 1 MB/s: the 4 MB download runs for about 4 s, long enough to detach in the middle.
  const daemon = startProc(
    [
      'daemon',
      '--port',
      '0',
      '--bits',
      '16',
      '--max-down',
      '1M',
      '--dir',
      join(root, 'share'),
      '--data',
      join(root, 'data'),
    ],
    env,
  );
  try {
    await daemon.waitLine((o) => o.event === 'listening', 30_000);
    const file = join(root, 'big.bin');
    writeFileSync(file, Buffer.alloc(SIZE, 3));
    execFileSync(process.execPath, ['--import=tsx', 'src/cli/main.ts', 'ctl', 'put', file], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });

    openShell('a', env);
    attach('a');
    await until('a', (s) => s.includes('1 Ring map') && s.includes('attached to the daemon'), 'the attached console');
    const copy = join(root, 'copy', 'big.bin');
    tmux('send-keys', '-t', 'a', ':', `get big.bin ${copy}`, 'Enter');
    await until('a', (s) => /big\.bin.*\d+%/.test(s), 'the transfer on screen');
    tmux('send-keys', '-t', 'a', 'D');
    const gone = await until('a', (s) => s.includes('EXITED 0'), 'detaching');
    t.regex(gone, /detached; the daemon keeps running/);
    t.false(existsSync(copy), 'the transfer was still running when the console detached');

    const done = await waitFor(() => existsSync(copy) && statSync(copy).size === SIZE, 30_000);
    t.true(done, `finished while detached; the daemon said:\n${daemon.stderr.slice(-15).join('\n')}`);

    attach('a');
    const back = await until(
      'a',
      (s) => s.includes('attached to the daemon') && /big\.bin/.test(s.split('6 Transfers')[1] ?? ''),
      'the finished transfer in the history of a console attached again',
    );
    t.regex(back, /listening on 127\.0\.0\.1:\d+/, 'older log lines are there too');

    // Hanging up the terminal detaches as well: the daemon answers afterwards.
    tmux('kill-session', '-t', 'a');
    const state = execFileSync(process.execPath, ['--import=tsx', 'src/cli/main.ts', 'ctl', '--json', 'state'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    t.like(JSON.parse(state), { cmd: 'state', ok: true });
  } finally {
    daemon.kill('SIGTERM');
    await Promise.race([daemon.exited(), new Promise((r) => setTimeout(r, 10_000))]);
    daemon.kill('SIGKILL');
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
    rmSync(root, { recursive: true, force: true });
  }
});
