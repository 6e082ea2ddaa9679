/**
 * `p2pterm daemon` and `p2pterm ctl` as real processes: the control socket is the owner's only
 * (0600 in a 0700 folder; a second Unix user cannot connect), ctl prints the headless JSON or a
 * readable form with the documented exit codes, a transfer reports progress events, and
 * SIGTERM ends the daemon cleanly and removes its socket.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { MAIN, ROOT, startProc } from '../helpers/headless-proc.js';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runCli(args: string[], env: NodeJS.ProcessEnv, prefix: string[] = []): Promise<Run> {
  const [cmd, ...rest] = [...prefix, process.execPath, '--import=tsx', MAIN, ...args];
  return new Promise((resolve) => {
    execFile(cmd!, rest, { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test.serial('daemon and ctl: private socket, JSON and readable replies, exit codes, progress, SIGTERM', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'p2pterm-daemon-'));
  // Readable by a second user up to the socket's own folder, so only the socket's mode stops them.
  chmodSync(root, 0o755);
  const env = { XDG_RUNTIME_DIR: join(root, 'run'), P2PTERM_CONFIG_DIR: join(root, 'config') };
  const daemon = startProc(
    [
      'daemon',
      '--port',
      '0',
      '--bits',
      '16',
      '--max-down',
      '2M',
      '--dir',
      join(root, 'share'),
      '--data',
      join(root, 'data'),
    ],
    env,
  );
  try {
    const hello = await daemon.waitLine((o) => o.event === 'listening', 30_000);
    const sock = hello.socket as string;
    t.is(sock, join(root, 'run', 'p2pterm', 'default.sock'));
    t.is(statSync(sock).mode & 0o777, 0o600);
    t.is(statSync(dirname(sock)).mode & 0o777, 0o700);

    const state = await runCli(['ctl', '--json', 'state'], env);
    t.is(state.code, 0, state.stderr);
    const reply = JSON.parse(state.stdout.trim());
    t.like(reply, { cmd: 'state', ok: true, id: hello.id, address: hello.address, bits: 16 });

    const readable = await runCli(['ctl', 'state'], env);
    t.is(readable.code, 0);
    t.regex(readable.stdout, new RegExp(`^address: ${hello.address}$`, 'm'));

    const typo = await runCli(['ctl', 'stat'], env);
    t.is(typo.code, 2);
    t.regex(typo.stderr, /unknown command "stat" \(did you mean state\?\)/);
    const usage = await runCli(['ctl', 'lookup'], env);
    t.is(usage.code, 2);
    const failed = await runCli(['ctl', 'get', 'no-such-file.bin'], env);
    t.is(failed.code, 1, failed.stderr);
    const none = await runCli(['ctl', '--name', 'other', 'state'], env);
    t.is(none.code, 3);
    t.regex(none.stderr, /no daemon is running/);

    // A transfer through the daemon: progress events before the reply with --json (2 MB/s cap: > 1 s).
    const file = join(root, 'big.bin');
    writeFileSync(file, Buffer.alloc(3 * 1024 * 1024, 7));
    t.is((await runCli(['ctl', 'put', file], env)).code, 0);
    const got = await runCli(['ctl', '--json', 'get', 'big.bin', join(root, 'copy', 'big.bin')], env);
    t.is(got.code, 0, got.stderr);
    const lines = got.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    t.true(lines.some((l) => l.event === 'transfer:progress' && l.bytes > 0 && l.bytes < l.total));
    t.like(lines.at(-1), { cmd: 'get', ok: true, size: 3 * 1024 * 1024 });

    // Another user on the host cannot open the socket.
    const other = await runCli(['ctl', '--socket', sock, 'state'], {}, [
      'setpriv',
      '--reuid=nobody',
      '--regid=nogroup',
      '--clear-groups',
    ]);
    t.is(other.code, 3, other.stderr);
    t.regex(other.stderr, /permission denied|EACCES/i);

    daemon.kill('SIGTERM');
    t.is(await daemon.exited(), 0);
    t.false(existsSync(sock), 'the socket is removed on the way out');
  } finally {
    daemon.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }
});
