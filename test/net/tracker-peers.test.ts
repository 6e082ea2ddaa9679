/**
 * A tracker and three p2pterm peers, each in its own process: share, search, list, download
 * from every online source; a killed peer is shown offline and not offered; a SIGKILLed
 * tracker comes back with its index and the peers re-register; P2P-CI clients interoperate.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseResponseHead } from '../../src/tracker/p2p-ci-codec.js';
import { RawClient, request } from '../tracker/helpers.js';
import { freePort, startNode, startProc, type Proc } from '../helpers/headless-proc.js';
import { waitFor } from '../helpers/wait.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function startTrackerProc(port: number, db: string): Promise<Proc> {
  const p = startProc(['tracker', '--host', '127.0.0.1', '--port', String(port), '--db', db, '--liveness-ms', '1500']);
  await p.waitLine((o) => o.event === 'listening');
  return p;
}

async function sources(p: Proc, name: string): Promise<{ port: number; online: boolean }[]> {
  const r = await p.cmd(`search ${name}`);
  const m = (r.matches ?? []).find((x: { name: string }) => x.name === name);
  return m ? m.sources.map((s: { port: number; online: boolean }) => ({ port: s.port, online: s.online })) : [];
}

test('tracker-assisted sharing across processes, with liveness, restarts and P2P-CI clients', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'p2pterm-trk-'));
  const procs: Proc[] = [];
  const [tp, pa, pb, pc] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const db = join(root, 'tracker.db');
  let foreign: Server | null = null;
  try {
    let tracker = await startTrackerProc(tp, db);
    procs.push(tracker);
    const dirs = ['a', 'b', 'c'].map((n) => (mkdirSync(join(root, n)), join(root, n)));
    const payload = Buffer.alloc(700_000);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + (i >> 9)) & 0xff;
    writeFileSync(join(root, 'notes.bin'), payload);
    writeFileSync(join(dirs[0]!, 'rfc7540.txt'), 'HTTP/2\n');
    const peer = (port: number, i: number) =>
      startNode(port, [
        '--bits',
        '24',
        '--dir',
        dirs[i]!,
        '--data',
        join(root, `data-${i}`),
        '--tracker',
        `127.0.0.1:${tp}`,
      ]);
    const a = await peer(pa, 0);
    const b = await peer(pb, 1);
    const c = await peer(pc, 2);
    procs.push(a, b, c);

    const shared = await a.cmd(`share ${join(root, 'notes.bin')}`);
    t.true(shared.ok, JSON.stringify(shared));
    t.is(shared.sha256, sha(payload));
    t.true(
      await waitFor(async () => (await sources(b, 'notes.bin')).some((s) => s.port === pa && s.online), 10_000),
      'b finds a as a source',
    );

    const got = await b.cmd('get notes.bin', 30_000);
    t.true(got.ok, JSON.stringify(got));
    t.is(sha(readFileSync(got.path)), sha(payload));
    t.true(
      await waitFor(async () => (await sources(c, 'notes.bin')).filter((s) => s.online).length === 2, 10_000),
      'after downloading, b shares the file too',
    );
    const fromTwo = await c.cmd('get notes.bin', 30_000);
    t.true(fromTwo.ok);
    t.is(fromTwo.sha256, sha(payload));

    // A P2P-CI client downloads rfc7540.txt straight from a p2pterm peer's port.
    const dl = await RawClient.open(pa);
    dl.send('GET RFC 7540 P2P-CI/1.0\r\nHost: 127.0.0.1\r\nOS: Linux\r\n\r\n');
    t.true(await dl.waitClosed(5000));
    const head = parseResponseHead(dl.received)!;
    t.is(head.status, 200);
    t.is(dl.received.subarray(head.bodyStart).toString(), 'HTTP/2\n');

    // A P2P-CI client adds RFC 1149 with its own upload server; a p2pterm peer gets it by name.
    foreign = createServer((s) =>
      s.once('data', () =>
        s.end('P2P-CI/1.0 200 OK\nOS: Windows 10\nContent-Length: 6\nContent-Type: text/plain\n\nAvian\n'),
      ),
    );
    await new Promise<void>((r) => foreign!.listen(0, '127.0.0.1', () => r()));
    const ci = await RawClient.open(tp);
    ci.send(
      request('ADD RFC 1149 P2P-CI/1.0', {
        Host: '127.0.0.1',
        Port: (foreign.address() as { port: number }).port,
        Title: 'IP over Avian Carriers',
      }),
    );
    t.is((await ci.readResponse()).status, 200);
    const byTitle = await c.cmd('search avian');
    t.true(byTitle.matches.some((m: { name: string }) => m.name === 'rfc1149.txt'));
    const rfc = await c.cmd('get rfc1149.txt', 15_000);
    t.true(rfc.ok, JSON.stringify(rfc));
    t.is(readFileSync(rfc.path, 'utf8'), 'Avian\n');
    ci.close();

    // A killed peer goes offline and is no longer offered; back, it is offered again.
    a.kill('SIGKILL');
    await a.exited();
    t.true(
      await waitFor(async () => (await sources(b, 'notes.bin')).some((s) => s.port === pa && !s.online), 10_000),
      'a is shown offline',
    );
    const a2 = await peer(pa, 0);
    procs.push(a2);
    t.true(
      await waitFor(async () => (await sources(b, 'notes.bin')).some((s) => s.port === pa && s.online), 10_000),
      'a is offered again',
    );

    // The tracker is SIGKILLed and restarted: the index survives and the peers re-register.
    tracker.kill('SIGKILL');
    await tracker.exited();
    tracker = await startTrackerProc(tp, db);
    procs.push(tracker);
    t.true(
      await waitFor(async () => (await sources(c, 'notes.bin')).filter((s) => s.online).length === 3, 15_000),
      'all three peers are back online',
    );

    // A file deleted from a peer's folder disappears from the tracker's answers.
    rmSync(join(dirs[2]!, 'notes.bin'));
    t.true(
      await waitFor(async () => !(await sources(b, 'notes.bin')).some((s) => s.port === pc), 10_000),
      'the tracker learns of the deletion',
    );

    // An unshared file disappears from the tracker's answers.
    t.true((await b.cmd('unshare notes.bin')).ok);
    t.true(await waitFor(async () => !(await sources(c, 'notes.bin')).some((s) => s.port === pb), 10_000));
  } finally {
    for (const p of procs) p.kill();
    foreign?.close();
    rmSync(root, { recursive: true, force: true });
  }
});
