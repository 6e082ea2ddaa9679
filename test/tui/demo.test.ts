/**
 * `npm start`'s demo, in a real terminal (tmux, private socket): within seconds the panes show
 * the ring's nodes, fingers, shared files and a completed transfer; `q` leaves no process,
 * port or temporary file behind.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const SOCKET = `p2pterm-demo-${process.pid}`;
const tmux = (...args: string[]) =>
  execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8' });

async function until(test: (screen: string) => boolean, what: string, ms = 30_000): Promise<string> {
  const end = Date.now() + ms;
  let screen = '';
  while (Date.now() < end) {
    screen = tmux('capture-pane', '-p', '-t', 'demo');
    if (test(screen)) return screen;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; screen was:\n${screen}`);
}

function processesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const cmd = (() => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        return '';
      }
    })();
    if (cmd.includes(dir) && !cmd.startsWith('tmux')) out.push(`${pid}: ${cmd.replace(/\0/g, ' ')}`);
  }
  return out;
}

test.serial('the demo shows a live ring with files and a finished transfer, and quits cleanly', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'p2pterm-demo-test-'));
  const pidFile = join(tmp, 'demo.pid');
  try {
    const env = {
      PS1: '$ ',
      TMPDIR: tmp,
      P2PTERM_CONFIG_DIR: join(tmp, 'config'),
      LANG: 'C.UTF-8',
      TERM: 'xterm-256color',
    };
    tmux(
      'new-session',
      '-d',
      '-s',
      'demo',
      '-x',
      '160',
      '-y',
      '48',
      ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
      'bash --norc --noprofile',
    );
    tmux(
      'send-keys',
      '-t',
      'demo',
      `cd ${ROOT} && sh -c 'echo $$ > ${pidFile}; exec node --import=tsx src/cli/main.ts demo --port 0'; echo EXITED $?`,
      'Enter',
    );
    const screen = await until(
      (s) => /ring 6\b/.test(s) && /✓ dataset\.bin/.test(s),
      'the ring and a finished download',
    );
    t.regex(screen, /Ring map/);
    t.regex(screen, /│\s?\d+ [0-9a-f]+\s+\[[0-9a-f]+,[0-9a-f]+\)/, 'finger rows are drawn');
    t.regex(screen, /dataset\.bin\s+12 MiB/, 'the Files pane lists the downloaded sample');
    t.regex(screen, /connected/, 'the tracker is connected');
    t.regex(screen, /[1-9]\d* online/, 'peers are online');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    t.true(existsSync(`/proc/${pid}`));
    t.true(
      readdirSync(tmp).some((n) => n.startsWith('p2pterm-demo-')),
      'the demo works in a temporary folder',
    );

    tmux('send-keys', '-t', 'demo', 'q');
    await until((s) => /EXITED 0/.test(s), 'the demo to exit');
    await new Promise((r) => setTimeout(r, 300));
    t.false(existsSync(`/proc/${pid}`), 'the demo process is gone');
    t.deepEqual(processesUnder(tmp), [], 'no process uses the demo folder');
    t.deepEqual(
      readdirSync(tmp).filter((n) => n.startsWith('p2pterm-demo-')),
      [],
      'its temporary folder is removed',
    );
  } finally {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
    rmSync(tmp, { recursive: true, force: true });
  }
});
