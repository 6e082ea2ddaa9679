import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { freePort, MAIN, ROOT } from '../helpers/headless-proc.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import=tsx', MAIN, ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input);
  });
}

function tempRoot(t: { teardown(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), 'p2pterm-config-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

test('config: each setting with its source (flag, environment, file, default); bad values exit 2', async (t) => {
  const root = tempRoot(t);
  const file = join(root, 'p2pterm.json');
  writeFileSync(file, JSON.stringify({ 'max-down': '2M', port: 6000, routing: 'naive', stabilizeMs: 250, vnodes: 5 }));
  const env = { P2PTERM_CONFIG_DIR: join(root, 'config'), P2PTERM_PORT: '7000' };
  const run = await runCli(['config', '--json', '--config', file, '--bits', '8'], env);
  t.is(run.code, 0, run.stderr);
  const { flags } = JSON.parse(run.stdout) as { flags: { flag: string; value: unknown; source: string }[] };
  const of = (flag: string) => flags.find((f) => f.flag === flag);
  t.like(of('--bits'), { value: 8, source: 'flag' });
  t.like(of('--port'), { value: 7000, source: 'environment' }, 'the environment beats the file');
  t.like(of('--max-down'), { value: 2 * 1024 ** 2, source: 'file' });
  t.like(of('--routing'), { value: 'naive', source: 'file' });
  t.like(of('--stabilize-ms'), { value: 250, source: 'file' });
  t.like(of('--successors'), { source: 'default' });
  t.like(of('--vnodes'), { value: 5, source: 'file' });

  writeFileSync(file, JSON.stringify({ routing: 'ring' }));
  const bad = await runCli(['config', '--config', file], env);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--config .*p2pterm\.json: --routing must be one of chord, naive/);
  const badEnv = await runCli(['config'], { ...env, P2PTERM_MAX_UP: 'fast' });
  t.is(badEnv.code, 2);
  t.regex(badEnv.stderr, /P2PTERM_MAX_UP: --max-up takes bytes per second/);
  const badVnodes = await runCli(['config'], { ...env, P2PTERM_VNODES: '64' });
  t.is(badVnodes.code, 2);
  t.regex(badVnodes.stderr, /P2PTERM_VNODES: --vnodes must be an integer in 1\.\.63/);
});

test('a headless node on --port 0 leaves no state folder behind; --log-file gets JSON lines', async (t) => {
  const root = tempRoot(t);
  const temp = join(root, 'tmp');
  mkdirSync(temp);
  const env = { XDG_DATA_HOME: join(root, 'data-home'), TMPDIR: temp, P2PTERM_CONFIG_DIR: join(root, 'config') };
  const log = join(root, 'log.jsonl');
  const run = await runCli(
    ['node', '--headless', '--port', '0', '--dir', root, '--log-file', log],
    env,
    'state\nquit\n',
  );
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /"cmd":"state","ok":true/);
  t.false(existsSync(join(root, 'data-home', 'p2pterm')), 'no folder under the data home');
  // (tsx keeps its compile cache there too.)
  t.deepEqual(
    readdirSync(temp).filter((f) => f.startsWith('p2pterm')),
    [],
    'the temporary state folder is gone',
  );
  const first = JSON.parse(readFileSync(log, 'utf8').split('\n')[0]!);
  t.deepEqual(Object.keys(first), ['at', 'level', 'topic', 'message']);
});

test('a daemon whose --join fails exits 2 with the reason and removes its socket', async (t) => {
  const root = tempRoot(t);
  const env = { XDG_RUNTIME_DIR: join(root, 'run'), P2PTERM_CONFIG_DIR: join(root, 'config') };
  const dead = await freePort();
  const args = ['daemon', '--port', '0', '--dir', root, '--join', `127.0.0.1:${dead}`, '--stabilize-ms', '50'];
  const run = await runCli(args, env);
  t.is(run.code, 2);
  t.regex(run.stderr, new RegExp(`joining through 127\\.0\\.0\\.1:${dead}: .+--allow-alone`));
  t.false(existsSync(join(root, 'run', 'p2pterm', 'default.sock')), 'the control socket is removed');
});
