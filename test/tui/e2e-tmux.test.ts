/**
 * End to end: the real binary in real terminals (tmux, private -L socket). Two consoles join
 * through the `:` command line; the screens are read with capture-pane; q, SIGTERM and an
 * uncaught exception all restore the terminal to the shell.
 */
import test from 'ava';
import { freePort } from '../helpers/headless-proc.js';
import { execFileSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { TrackerServer } from '../../src/tracker/tracker-server.js';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { hashId } from '../../src/core/ring-math.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SOCKET = `p2pterm-e2e-${process.pid}`;
const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
})();

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8' });
}

function capture(session: string): string {
  return tmux('capture-pane', '-p', '-t', session);
}

async function until(session: string, test: (screen: string) => boolean, what: string, ms = 15_000): Promise<string> {
  const end = Date.now() + ms;
  let screen = '';
  while (Date.now() < end) {
    screen = capture(session);
    if (test(screen)) return screen;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; screen was:\n${screen}`);
}

interface Console {
  readonly session: string;
  readonly port: number;
  readonly id: string;
  readonly pidFile: string;
}

function startConsole(
  session: string,
  port: number,
  dir: string,
  env: Record<string, string>,
  size = [160, 48],
  tracker?: string,
): Console {
  const config = join(dir, session);
  const pidFile = join(dir, `${session}.pid`);
  const envArgs = Object.entries({ PS1: '$ ', P2PTERM_CONFIG_DIR: config, ...env }).flatMap(([k, v]) => [
    '-e',
    `${k}=${v}`,
  ]);
  tmux(
    'new-session',
    '-d',
    '-s',
    session,
    '-x',
    String(size[0]),
    '-y',
    String(size[1]),
    ...envArgs,
    'bash --norc --noprofile',
  );
  const own = `--dir ${join(dir, `${session}-share`)} --data ${join(dir, `${session}-data`)}${tracker ? ` --tracker ${tracker}` : ''}`;
  const cmd = `cd ${ROOT} && sh -c 'echo $$ > ${pidFile}; exec node --import=tsx src/cli/main.ts node --port ${port} --bits 16 ${own}'; echo EXITED $?`;
  tmux('send-keys', '-t', session, cmd, 'Enter');
  return { session, port, id: hashId(`127.0.0.1:${port}`, 16).toString(16), pidFile };
}

const UTF8 = { LANG: 'C.UTF-8', TERM: 'xterm-256color', P2PTERM_DEBUG: '1' };

test.serial('two consoles join through the command line; q, SIGTERM and a crash restore the terminal', async (t) => {
  if (!hasTmux) return t.fail('tmux is required for this test (apt-get install tmux)');
  const dir = mkdtempSync(join(tmpdir(), 'p2pterm-e2e-'));
  const trackerServer = new TrackerServer({ host: '127.0.0.1', port: 0, dbPath: join(dir, 'tracker.db') });
  try {
    const tracker = await trackerServer.start();
    const a = startConsole('a', await freePort(), dir, UTF8, [160, 48], tracker);
    const b = startConsole('b', await freePort(), dir, UTF8, [160, 48], tracker);
    for (const c of [a, b]) {
      // The first frame may come before the socket is open; the node is a ring of one right after.
      const s = await until(
        c.session,
        (s) => s.includes('1 Ring map') && s.includes(`127.0.0.1:${c.port}`) && /succ me/.test(s),
        `console ${c.session}`,
      );
      t.true(s.includes('┌─▸ 1 Ring map'), 'Unicode borders, focus on the ring map');
    }

    // Join b to a through b's command line.
    tmux('send-keys', '-t', 'b', ':', `join 127.0.0.1:${a.port}`, 'Enter');
    let sb = await until(
      'b',
      (s) => s.includes(`:join 127.0.0.1:${a.port}`) && s.includes('inRing: true'),
      'join reply',
    );
    t.true(sb.includes(`successors:`));
    tmux('send-keys', '-t', 'b', 'Escape');
    sb = await until(
      'b',
      (s) => s.includes(`succ ${a.id} `) && s.includes(`pred ${a.id} `) && !s.includes('inRing: true'),
      'b sees a as successor and predecessor',
    );
    t.true(sb.includes(`succ ${a.id}`), 'ring map labels the successor');
    // The health line reflects the last stabilization round: wait for one after the join.
    sb = await until('b', (s) => /succ\.pred == me\? ✓ yes/.test(s), 'a healthy round on b');
    t.regex(sb, /succ\.pred == me\? ✓ yes/);
    const sa = await until('a', (s) => s.includes(`pred ${b.id} `) && s.includes(`succ ${b.id} `), 'a sees b');
    t.regex(sa, /ring 2 /);
    t.true(sa.includes(`127.0.0.1:${b.port}`), 'finger table shows b');

    // The tracker link comes up with the file service, after the first frame: wait for it.
    const tracked = await until('a', (s) => /connected 127\.0\.0\.1:/.test(s), 'the tracker pane shows the connection');
    t.regex(tracked, /7 Tracker · connected/);

    // a puts a file in the ring through its command line; b gets it through its own.
    const text = 'hello from a\n'.repeat(2000);
    writeFileSync(join(dir, 'hello.txt'), text);
    tmux('send-keys', '-t', 'a', ':', `put ${join(dir, 'hello.txt')}`, 'Enter');
    await until('a', (s) => s.includes(':put ') && s.includes('sha256:'), 'put reply on a');
    tmux('send-keys', '-t', 'a', 'Escape');
    await until('a', (s) => /hello\.txt\s+\d/.test(s) && /ring/.test(s), 'the Files pane lists the stored file');
    tmux('send-keys', '-t', 'b', ':', 'get hello.txt', 'Enter');
    await until('b', (s) => s.includes(':get hello.txt') && s.includes('sha256:'), 'get reply on b');
    tmux('send-keys', '-t', 'b', 'Escape');
    sb = await until(
      'b',
      (s) => /✓ hello\.txt/.test(s) && !s.includes('resumedChunks'),
      "the finished transfer in b's Transfers pane",
    );
    sb = await until(
      'b',
      (s) => /hello\.txt\s+\d+(\.\d+)? KiB\s+shared/.test(s),
      "b's Files pane shows the downloaded file, shared",
    );
    t.regex(sb, /✓ hello\.txt/);
    t.is(readFileSync(join(dir, 'b-share', 'hello.txt'), 'utf8'), text);

    // q on b: it leaves the ring, the shell is back, and a notices.
    tmux('send-keys', '-t', 'b', 'q');
    // The shell prints its prompt a moment after the exit line: wait for both.
    sb = await until('b', (s) => /EXITED 0\s*\n\S*[$#]/.test(s), 'b exits, followed by the shell prompt');
    t.false(sb.includes('Ring map'), 'the alternate screen is gone');
    t.regex(sb, /[$#] cd .*main\.ts node --port/, 'the command line is back on the normal screen');
    await until('a', (s) => s.includes('pred none') && s.includes('succ me'), 'a is alone again');

    // b's settings remember the peer it joined through.
    const conf = JSON.parse(readFileSync(join(dir, 'b', 'config.json'), 'utf8'));
    t.is(conf.join, `127.0.0.1:${a.port}`);

    // An uncaught exception: the screen goes, the error is printed, exit code 1.
    tmux('send-keys', '-t', 'a', ':', 'crash', 'Enter');
    const crashed = await until('a', (s) => s.includes('EXITED 1'), 'a crashes');
    t.regex(crashed, /p2pterm: uncaught error: Error: p2pterm debug crash/);
    t.false(crashed.includes('Ring map'));

    // SIGTERM, in an ASCII terminal (LANG=C, TERM=xterm) at 80x24.
    const c = startConsole('c', await freePort(), dir, { LANG: 'C', TERM: 'xterm' }, [80, 24]);
    const sc = await until('c', (s) => s.includes('1 Ring map'), 'ASCII console');
    t.true(sc.includes('+-> 1 Ring map'), 'ASCII borders');
    t.regex(sc.split('\n')[0]!, /1 Ring map\s+2 Fingers/, 'tabs at 80x24');
    t.deepEqual(
      [...sc].filter((ch) => ch.charCodeAt(0) > 126),
      [],
      'nothing but ASCII',
    );
    const pid = Number(readFileSync(c.pidFile, 'utf8'));
    process.kill(pid, 'SIGTERM');
    const ended = await until('c', (s) => s.includes('EXITED 0'), 'SIGTERM exit');
    t.false(ended.includes('Ring map'));

    // A port already taken: the screen may be up before the socket is tried; it goes, the
    // reason is printed, exit code 2.
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    try {
      startConsole('d', (taken.address() as AddressInfo).port, dir, UTF8);
      const refused = await until('d', (s) => s.includes('EXITED 2'), 'a console on a taken port');
      t.regex(refused, /p2pterm: cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
      t.false(refused.includes('Ring map'));
    } finally {
      taken.close();
    }
  } finally {
    await trackerServer.stop();
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
