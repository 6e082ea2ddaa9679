/** A tracker in a child process: SIGKILL right after an acknowledged ADD loses nothing. */
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { TrackerClient } from '../../src/tracker/tracker-client.js';
import { RawClient, request, tempDir } from './helpers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/run-tracker.ts', import.meta.url));

interface Child {
  readonly proc: ChildProcess;
  readonly port: number;
  readonly stdoutLines: string[];
  readonly stderr: () => string;
}

/** Spawns the tracker and waits (bounded) for its one stdout line. */
async function spawnTracker(db: string): Promise<Child> {
  const proc = spawn(process.execPath, ['--import=tsx', FIXTURE, db], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const stdoutLines: string[] = [];
  const lines = createInterface({ input: proc.stdout! });
  lines.on('line', (l) => stdoutLines.push(l));
  const first = new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`tracker exited (${code}) before listening: ${err}`)));
    setTimeout(() => reject(new Error(`tracker not listening after 20 s: ${err}`)), 20_000).unref();
  });
  const event = JSON.parse(await first) as { event: string; address: string };
  if (event.event !== 'listening') throw new Error(`unexpected first line ${JSON.stringify(event)}`);
  return { proc, port: Number(event.address.split(':')[1]), stdoutLines, stderr: () => err };
}

async function kill(child: Child, signal: NodeJS.Signals): Promise<number | null> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return child.proc.exitCode;
  const exited = once(child.proc, 'exit');
  child.proc.kill(signal);
  const [code] = (await exited) as [number | null];
  return code;
}

test('SIGKILL right after acknowledged requests: a restarted tracker has every record', async (t) => {
  const dir = tempDir();
  const db = join(dir.path, 'nested', 'tracker.db');
  let child = await spawnTracker(db);
  try {
    const ci = await RawClient.open(child.port);
    ci.send(
      request('ADD RFC 2616 P2P-CI/1.0', { Host: 'durable-host', Port: 5555, Title: 'Hypertext Transfer Protocol' }),
    );
    t.is((await ci.readResponse()).status, 200);
    const native = new TrackerClient({ address: `127.0.0.1:${child.port}` });
    await native.connect();
    await native.register('native-host', 6666);
    await native.announce([{ name: 'movie.mkv', size: 123, sha256: 'e'.repeat(64) }]);
    await kill(child, 'SIGKILL'); // the instant the acknowledgements are in
    await native.close();
    ci.close();

    child = await spawnTracker(db);
    t.deepEqual(child.stdoutLines.length, 1, 'exactly one stdout line');
    const viewer = new TrackerClient({ address: `127.0.0.1:${child.port}` });
    await viewer.connect();
    const all = await viewer.list();
    t.deepEqual(all.map((m) => [m.name, m.title, m.sources.map((s) => `${s.host}:${s.port}:${s.online}`)]).sort(), [
      ['movie.mkv', 'movie.mkv', ['native-host:6666:false']],
      ['rfc2616.txt', 'Hypertext Transfer Protocol', ['durable-host:5555:false']],
    ]);
    await viewer.close();
    // The P2P-CI peer comes back under the same address: its record is offered again.
    const back = await RawClient.open(child.port);
    back.send(request('LIST ALL P2P-CI/1.0', { Host: 'durable-host', Port: 5555 }));
    t.deepEqual((await back.readResponse()).lines, ['RFC 2616 Hypertext Transfer Protocol durable-host 5555']);
    back.close();
    t.is(await kill(child, 'SIGTERM'), 0, 'SIGTERM stops the tracker cleanly');
    t.regex(child.stderr(), /stopping \(SIGTERM\)/);
  } finally {
    await kill(child, 'SIGKILL');
    dir.remove();
  }
});
