/**
 * End to end over SSH, as a remote user would run the console: the test starts Debian's
 * openssh-server on a free loopback port (throwaway host and user keys in a temp dir, its own
 * sshd_config, in the foreground as the test's child), then in a tmux pane (private -L socket)
 * runs `ssh -tt ... 'cd DIR && env ... node dist/cli/main.js --port P --bits 16'` twice:
 * with a UTF-8 locale and TERM=xterm-256color (box-drawing borders, every pane's title), and
 * with LANG=C LC_ALL=C and TERM=xterm (nothing but ASCII on the screen). `q` must end the
 * console, the remote shell and ssh with status 0, and leave both terminals as they were.
 *
 * No silent skip: without sshd (CI's .ci/run installs openssh-server) the test fails and says why.
 */
import test, { type ExecutionContext } from 'ava';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers/headless-proc.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const SSHD = '/usr/sbin/sshd';
const SOCKET = `p2pterm-ssh-${process.pid}`;
/** Where tmux puts a -L socket (tmux(1): $TMUX_TMPDIR or /tmp, then tmux-UID). */
const SOCKET_PATH = join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`, SOCKET);
const SESSION = 'ssh';
/** The remote side runs the built binary when there is one (CI builds in `npm ci`), else the sources through tsx. */
const ENTRY = existsSync(join(ROOT, 'dist/cli/main.js'))
  ? [process.execPath, join(ROOT, 'dist/cli/main.js')]
  : [process.execPath, '--import=tsx', join(ROOT, 'src/cli/main.ts')];

/** A word for a POSIX shell, quoted only when it needs to be. */
function sh(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

function tmux(...args: string[]): string {
  // -u and a UTF-8 locale: capture-pane must show non-ASCII as it is (not as `_`), or the
  // ASCII check below could not fail.
  return execFileSync('tmux', ['-u', '-L', SOCKET, '-f', '/dev/null', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' },
  });
}

function tmuxOr(fallback: string, ...args: string[]): string {
  try {
    return tmux(...args);
  } catch {
    return fallback;
  }
}

/** The pane's text, wrapped lines joined (the ssh command line is longer than the pane is wide). */
const capture = () => tmux('capture-pane', '-p', '-J', '-t', SESSION);
const paneFlag = (name: string) => tmux('display-message', '-p', '-t', SESSION, `#{${name}}`).trim();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: (screen: string) => boolean, what: string, ms = 15_000): Promise<string> {
  const end = Date.now() + ms;
  let screen = '';
  while (Date.now() < end) {
    screen = capture();
    if (cond(screen)) return screen;
    await sleep(100);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}; screen was:\n${screen}`);
}

// ---- sshd ------------------------------------------------------------------------------

interface Sshd {
  readonly proc: ChildProcess;
  readonly port: number;
  readonly key: string;
  log(): string;
}

function keygen(file: string): void {
  execFileSync('ssh-keygen', ['-q', '-N', '', '-t', 'ed25519', '-C', 'p2pterm-test', '-f', file]);
}

/** sshd on a free loopback port, in the foreground (`-D -e`) and in its own process group. */
async function startSshd(dir: string): Promise<Sshd> {
  if (!existsSync(SSHD))
    throw new Error(
      `${SSHD} is missing: install openssh-server (apt-get install -y openssh-server openssh-client; .ci/run does this)`,
    );
  keygen(join(dir, 'host_key'));
  keygen(join(dir, 'user_key'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'user_key.pub')));
  // sshd's privilege-separation directory; a container may not have it.
  try {
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  } catch (e) {
    throw new Error(
      `sshd needs /run/sshd and it cannot be created (${(e as Error).message}); run the tests as root or create it`,
    );
  }
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const config = join(dir, 'sshd_config');
    writeFileSync(
      config,
      [
        'ListenAddress 127.0.0.1',
        `Port ${port}`,
        `HostKey ${join(dir, 'host_key')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        'StrictModes no',
        'UsePAM no',
        'PermitRootLogin yes',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PrintMotd no',
        'PrintLastLog no',
        'LogLevel INFO',
        '',
      ].join('\n'),
    );
    let log = '';
    const proc = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    proc.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const ready = await new Promise<boolean>((res) => {
      const timer = setTimeout(() => res(false), 5000);
      const check = () => {
        if (/Server listening on 127\.0\.0\.1 port/.test(log)) clearTimeout(timer), res(true);
      };
      proc.stderr!.on('data', check);
      proc.once('exit', () => (clearTimeout(timer), res(false)));
      proc.once('error', (e) => ((log += String(e)), clearTimeout(timer), res(false)));
    });
    if (ready) return { proc, port, key: join(dir, 'user_key'), log: () => log };
    lastError = log || '(no output)';
    stopSshd(proc);
  }
  throw new Error(`sshd would not start:\n${lastError}`);
}

function stopSshd(proc: ChildProcess): void {
  if (proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
  try {
    process.kill(-proc.pid, 'SIGTERM'); // the listener and any session children left in its group
  } catch {
    // already gone
  }
}

async function waitExit(proc: ChildProcess, ms: number): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  await new Promise<void>((res) => {
    const timer = setTimeout(() => {
      try {
        if (proc.pid !== undefined) process.kill(-proc.pid, 'SIGKILL');
      } catch {
        // gone
      }
      res();
    }, ms);
    proc.once('exit', () => (clearTimeout(timer), res()));
  });
}

/** Kills a console left running by a failed assertion: only if that pid is still our node. */
function killPidFile(file: string, dir: string): void {
  try {
    const pid = Number(readFileSync(file, 'utf8'));
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (pid > 0 && cmdline.includes(ENTRY[ENTRY.length - 1]!) && cmdline.includes(dir)) process.kill(pid, 'SIGKILL');
  } catch {
    // no file or no such process: nothing to clean
  }
}

// ---- one remote session ------------------------------------------------------------------

interface Run {
  readonly name: string;
  readonly env: Record<string, string>;
  readonly size: readonly [number, number];
}

/** The line typed into the local shell: ssh to localhost, run the console, report both exit codes. */
function sshCommand(sshd: Sshd, dir: string, run: Run, port: number): { line: string; pidFile: string } {
  const work = join(dir, `work-${run.name}`);
  mkdirSync(work, { recursive: true });
  const pidFile = join(dir, `${run.name}.pid`);
  const env = { P2PTERM_CONFIG_DIR: join(dir, `config-${run.name}`), ...run.env };
  const node = [
    'env',
    ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
    ...ENTRY,
    '--port',
    String(port),
    '--bits',
    '16',
    '--data',
    join(dir, `data-${run.name}`),
  ];
  // The node's pid goes to a file (for cleanup when an assertion fails), then it replaces that sh.
  const inner = `echo $$ > ${sh(pidFile)}; exec ${node.map(sh).join(' ')}`;
  // After the console: its status, then the remote tty's modes (must be cooked again).
  const remote = `cd ${sh(work)} && sh -c ${sh(inner)}; echo "REMOTE-EXITED $?"; stty -a | tr ' ;' '\\n\\n' | grep -Ex -- '-?(icanon|echo)' | tr '\\n' ' '; echo`;
  const ssh = [
    'ssh',
    '-tt',
    '-F',
    '/dev/null',
    '-p',
    String(sshd.port),
    '-i',
    sshd.key,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'IdentityAgent=none',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'LogLevel=ERROR',
    '-o',
    'ConnectTimeout=10',
    `${userInfo().username}@127.0.0.1`,
  ];
  return { line: `${ssh.map(sh).join(' ')} ${sh(remote)}; echo "SSH-EXITED $?"`, pidFile };
}

const TITLES = ['1 Ring map', '2 Finger table', '3 Stabilization', '4 Log', '5 Files', '6 Transfers', '7 Tracker'];

/** Starts the console over SSH in a fresh tmux session and waits for its first full screen. */
async function openRemoteConsole(
  sshd: Sshd,
  dir: string,
  run: Run,
): Promise<{ screen: string; port: number; pidFile: string }> {
  const port = await freePort();
  const [cols, rows] = run.size;
  tmux(
    'new-session',
    '-d',
    '-s',
    SESSION,
    '-x',
    String(cols),
    '-y',
    String(rows),
    '-e',
    'LC_ALL=C.UTF-8',
    'bash --norc --noprofile',
  );
  const { line, pidFile } = sshCommand(sshd, dir, run, port);
  tmux('send-keys', '-t', SESSION, '-l', line);
  tmux('send-keys', '-t', SESSION, 'Enter');
  const screen = await until(
    (s) => TITLES.every((x) => s.includes(x)) && s.includes(`127.0.0.1:${port}`),
    `the console over ssh (${run.name})`,
  );
  return { screen, port, pidFile };
}

/** `q`: the console, the remote shell and ssh end with 0 and both terminals are back to normal. */
async function quitAndCheck(t: ExecutionContext, run: Run): Promise<void> {
  tmux('send-keys', '-t', SESSION, 'q');
  const after = await until((s) => /SSH-EXITED \d+/.test(s), `ssh to end after q (${run.name})`);
  t.regex(after, /REMOTE-EXITED 0\b/, `${run.name}: the console exits with 0 on the remote side`);
  t.regex(after, /SSH-EXITED 0\b/, `${run.name}: ssh ends cleanly`);
  const modes = after.match(/REMOTE-EXITED 0\s*\n(.*)\n/)?.[1] ?? '';
  t.regex(modes, /(^| )icanon( |$)/, `${run.name}: remote tty back in canonical mode (${modes})`);
  t.regex(modes, /(^| )echo( |$)/, `${run.name}: remote tty echoes again (${modes})`);
  t.false(
    TITLES.some((x) => after.includes(x)),
    `${run.name}: the console's screen is gone`,
  );
  t.is(paneFlag('alternate_on'), '0', `${run.name}: back on the normal screen`);
  t.is(paneFlag('cursor_flag'), '1', `${run.name}: cursor visible`);
  t.is(paneFlag('mouse_any_flag'), '0', `${run.name}: mouse reporting off`);
  t.regex(
    after,
    /[$#] ssh -tt .*--port \d+ --bits 16/,
    `${run.name}: the typed command line is still on the normal screen`,
  );
  // The local terminal works as a shell again: what is typed is echoed and runs.
  tmux('send-keys', '-t', SESSION, '-l', 'echo back-$((40+2))');
  tmux('send-keys', '-t', SESSION, 'Enter');
  await until(
    (s) => /[$#] echo back-\$\(\(40\+2\)\)\s*\nback-42\s*\n\S*[$#]/.test(s),
    `the local shell to answer after ${run.name}`,
    5000,
  );
  tmux('kill-session', '-t', SESSION);
}

const RUNS: readonly Run[] = [
  { name: 'utf8', env: { LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', TERM: 'xterm-256color' }, size: [160, 48] },
  { name: 'ascii', env: { LANG: 'C', LC_ALL: 'C', TERM: 'xterm' }, size: [132, 40] },
];

test.serial(
  'over a real SSH session: UTF-8 and LANG=C screens, q ends ssh cleanly and restores the terminal',
  async (t) => {
    t.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), 'p2pterm-ssh-'));
    let sshd: Sshd | null = null;
    try {
      try {
        execFileSync('tmux', ['-V']);
      } catch {
        throw new Error('tmux is not installed (apt-get install -y tmux; .ci/run does this)');
      }
      sshd = await startSshd(dir);

      // UTF-8 locale, 256 colours.
      const utf8 = RUNS[0]!;
      const a = await openRemoteConsole(sshd, dir, utf8);
      t.true(a.screen.includes('┌─▸ 1 Ring map'), 'Unicode box drawing, focus on the ring map');
      for (const title of TITLES.slice(1))
        t.regex(a.screen, new RegExp(`[┌─] ${title} `), `pane title "${title}" on a Unicode border`);
      t.regex(a.screen, /[│┐┘└]/, 'vertical borders and corners drawn with box-drawing characters');
      t.false(/lqq|qqk|mqq|qqj/.test(a.screen), 'no alternate-character-set garbage');
      await quitAndCheck(t, utf8);

      // LANG=C, TERM=xterm: the ASCII fallback.
      const ascii = RUNS[1]!;
      const b = await openRemoteConsole(sshd, dir, ascii);
      t.true(b.screen.includes('+-> 1 Ring map'), 'ASCII corner and pointer on the focused pane');
      for (const title of TITLES.slice(1))
        t.regex(b.screen, new RegExp(`[+-] ${title} `), `pane title "${title}" on an ASCII border`);
      t.regex(b.screen, /^\|.*\|/m, 'vertical borders are |');
      t.regex(b.screen, /\+-{3,}/, 'horizontal borders are + and -');
      const nonAscii = [...new Set([...b.screen].filter((ch) => ch.codePointAt(0)! > 126))];
      t.deepEqual(nonAscii, [], 'nothing but ASCII on the screen');
      await quitAndCheck(t, ascii);
    } catch (e) {
      t.fail(`${(e as Error).message}${sshd ? `\n--- sshd log ---\n${sshd.log()}` : ''}`);
    } finally {
      for (const r of RUNS) killPidFile(join(dir, `${r.name}.pid`), dir);
      tmuxOr('', 'kill-server');
      rmSync(SOCKET_PATH, { force: true }); // a server that exits leaves its socket file behind
      if (sshd) {
        stopSshd(sshd.proc);
        await waitExit(sshd.proc, 3000);
      }
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
