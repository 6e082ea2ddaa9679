/** The native protocol and TrackerClient: register, announce, search, liveness, reconnect. */
import test from 'ava';
import { TrackerClient, type TrackerClientState } from '../../src/tracker/tracker-client.js';
import { TrackerServer } from '../../src/tracker/tracker-server.js';
import { RawClient, request, sleep, startTracker, tempDir, waitFor } from './helpers.js';

const SHA = 'a'.repeat(64);

function takeJsonLine(buf: Buffer): { value: Record<string, unknown>; used: number } | null {
  const nl = buf.indexOf(0x0a);
  return nl < 0 ? null : { value: JSON.parse(buf.subarray(0, nl).toString()), used: nl + 1 };
}

test('register + announce: search shows sources; P2P-CI sees rfcN.txt as RFC N and vice versa', async (t) => {
  const tr = await startTracker();
  const client = new TrackerClient({ address: `127.0.0.1:${tr.port}` });
  const p2pci = await RawClient.open(tr.port);
  try {
    await client.connect();
    await client.register('10.0.0.5', 6001);
    await client.announce([
      { name: 'rfc77.txt', size: 12, sha256: SHA },
      { name: 'holiday.mkv', size: 1000, sha256: 'b'.repeat(64) },
    ]);
    p2pci.send(request('LOOKUP RFC 77 P2P-CI/1.0', { Host: 'ci', Port: 7001, Title: '' }));
    t.deepEqual((await p2pci.readResponse()).lines, ['RFC 77 rfc77.txt 10.0.0.5 6001']);
    p2pci.send(request('ADD RFC 88 P2P-CI/1.0', { Host: 'ci', Port: 7001, Title: 'The Eighty Eight' }));
    await p2pci.readResponse();
    const byName = await client.search('rfc88');
    t.deepEqual(byName, [
      {
        name: 'rfc88.txt',
        rfc: 88,
        title: 'The Eighty Eight',
        size: null,
        sha256: null,
        sources: [{ host: 'ci', port: 7001, online: true, kind: 'p2pci' }],
      },
    ]);
    t.deepEqual(
      (await client.search('eighty')).map((m) => m.name),
      ['rfc88.txt'],
      'found by its title too',
    );
    const mkv = await client.search('HOLI');
    t.is(mkv.length, 1);
    t.deepEqual(mkv[0]!.sources, [{ host: '10.0.0.5', port: 6001, online: true, kind: 'p2pterm' }]);
    t.deepEqual((await client.list()).map((m) => m.name).sort(), ['holiday.mkv', 'rfc77.txt', 'rfc88.txt']);
  } finally {
    p2pci.close();
    await client.close();
    await tr.close();
  }
});

test('unannounce and sync (replace) forget files; offline sources are shown as offline', async (t) => {
  const tr = await startTracker();
  const a = new TrackerClient({ address: `127.0.0.1:${tr.port}` });
  const b = new TrackerClient({ address: `127.0.0.1:${tr.port}` });
  try {
    await a.connect();
    await b.connect();
    await a.register('peer-a', 6001);
    await a.announce([
      { name: 'x.bin', size: 1, sha256: SHA },
      { name: 'y.bin', size: 2, sha256: SHA },
      { name: 'z.bin' },
    ]);
    t.true(await a.unannounce('x.bin'));
    await a.sync([{ name: 'z.bin' }]);
    t.deepEqual(
      (await b.search('.bin')).map((m) => m.name),
      ['z.bin'],
    );
    await a.close();
    t.true(await waitFor(() => tr.server.stats().onlinePeers === 0));
    const z = await b.search('z.bin');
    t.deepEqual(z[0]?.sources, [{ host: 'peer-a', port: 6001, online: false, kind: 'p2pterm' }]);
  } finally {
    await a.close();
    await b.close();
    await tr.close();
  }
});

test('native errors: bad JSON and bad messages get an error line, oversized lines close', async (t) => {
  const tr = await startTracker();
  const c = await RawClient.open(tr.port);
  try {
    c.send('P2PTERM-TRACKER/1\n{not json\n');
    t.like(await c.read(takeJsonLine), { id: null, ok: false, code: 'BAD_JSON' });
    c.send(JSON.stringify({ id: 1, type: 'announce', files: [{ name: '../../etc/passwd' }] }) + '\n');
    t.like(await c.read(takeJsonLine), { id: 1, ok: false, code: 'BAD_REQUEST' });
    c.send(JSON.stringify({ id: 2, type: 'announce', files: [{ name: 'ok.txt' }] }) + '\n');
    t.like(await c.read(takeJsonLine), { id: 2, ok: false, code: 'NOT_REGISTERED' });
    c.send(JSON.stringify({ id: 3, type: 'register', host: 'h', port: 99999 }) + '\n');
    t.like(await c.read(takeJsonLine), { id: 3, ok: false, code: 'BAD_REQUEST' });
    c.send(JSON.stringify({ id: 4, type: 'register', host: 'h', port: 9 }) + '\n');
    t.like(await c.read(takeJsonLine), { id: 4, ok: true, host: 'h', port: 9 });
    c.send('x'.repeat(1100 * 1024));
    t.like(await c.read(takeJsonLine), { ok: false, code: 'LINE_TOO_LONG' });
    t.true(await c.waitClosed());
  } finally {
    c.close();
    await tr.close();
  }
});

// Serial: it times the tracker's silence bound, which other tests' synchronous disk syncs would skew.
test.serial('liveness: a silent native peer is offline within livenessMs; a heartbeating one stays', async (t) => {
  const livenessMs = 300;
  const tr = await startTracker({ livenessMs });
  const silent = await RawClient.open(tr.port);
  const beating = new TrackerClient({ address: `127.0.0.1:${tr.port}` });
  const viewer = new TrackerClient({ address: `127.0.0.1:${tr.port}`, heartbeatMs: 80 }); // never registers
  const offline: string[] = [];
  const viewerStates: string[] = [];
  viewer.on('state', (st) => viewerStates.push(st));
  tr.server.on('tracker:peer-offline', (e) => offline.push(`${e.host}:${e.port}`));
  try {
    await beating.connect();
    await viewer.connect();
    await beating.register('beating', 2);
    await beating.announce([{ name: 'alive.txt' }]);
    silent.send('P2PTERM-TRACKER/1\n' + JSON.stringify({ id: 1, type: 'register', host: 'silent', port: 1 }) + '\n');
    t.like(await silent.read(takeJsonLine), { ok: true, heartbeatMs: 100 });
    silent.send(JSON.stringify({ id: 2, type: 'announce', files: [{ name: 'ghost.txt' }] }) + '\n');
    await silent.read(takeJsonLine);
    const since = Date.now();
    t.true(await waitFor(() => offline.includes('silent:1'), 2000), 'silent peer marked offline');
    const took = Date.now() - since;
    t.true(took >= livenessMs - 50 && took <= livenessMs + 1000, `offline after ${took} ms`);
    t.true(await silent.waitClosed());
    await sleep(livenessMs * 3);
    t.false(offline.includes('beating:2'), 'heartbeats keep the other peer online');
    t.is(beating.state, 'connected');
    t.deepEqual(viewerStates, ['connected'], 'an unregistered client heartbeats too, never dropped');
    t.is((await viewer.search('alive')).length, 1);
    const ghost = await beating.search('ghost');
    t.deepEqual(
      ghost[0]?.sources.map((s) => s.online),
      [false],
    );
  } finally {
    silent.close();
    await beating.close();
    await viewer.close();
    await tr.close();
  }
});

test('reconnect after a tracker restart: re-registers and re-announces the current set', async (t) => {
  const dir = tempDir();
  const dbPath = `${dir.path}/tracker.db`;
  let server = new TrackerServer({ host: '127.0.0.1', port: 0, dbPath });
  const port = Number((await server.start()).split(':')[1]);
  const client = new TrackerClient({ address: `127.0.0.1:${port}`, reconnectMinMs: 20, reconnectMaxMs: 200 });
  const states: TrackerClientState[] = [];
  client.on('state', (s) => states.push(s));
  const other = new TrackerClient({ address: `127.0.0.1:${port}` });
  try {
    await client.connect();
    await client.register('peer-r', 6100);
    await client.announce([{ name: 'keep.txt' }, { name: 'gone.txt' }]);
    await server.stop();
    t.true(await waitFor(() => client.state === 'reconnecting', 2000));
    await client.unannounce('gone.txt'); // deleted while the tracker was down
    await client.announce([{ name: 'new.txt' }]);
    server = new TrackerServer({ host: '127.0.0.1', port, dbPath });
    await server.start();
    t.true(await waitFor(() => client.state === 'connected', 3000), `state ${client.state}`);
    t.true(states.includes('disconnected'));
    await other.connect();
    const found = await other.list();
    t.deepEqual(found.map((m) => [m.name, m.sources[0]?.online]).sort(), [
      ['keep.txt', true],
      ['new.txt', true],
    ]);
  } finally {
    await client.close();
    await other.close();
    await server.stop();
    dir.remove();
  }
});

test('a tracker started after its peer: with keepTrying the first failed connect goes on in the background', async (t) => {
  const dir = tempDir();
  const dbPath = `${dir.path}/tracker.db`;
  // A free port with nothing on it yet: a tracker started and stopped there.
  let server = new TrackerServer({ host: '127.0.0.1', port: 0, dbPath });
  const port = Number((await server.start()).split(':')[1]);
  await server.stop();
  const client = new TrackerClient({ address: `127.0.0.1:${port}`, reconnectMinMs: 20, reconnectMaxMs: 200 });
  const other = new TrackerClient({ address: `127.0.0.1:${port}` });
  try {
    await t.throwsAsync(client.connect({ keepTrying: true }), { code: 'TRACKER_UNAVAILABLE' } as never);
    t.is(client.state, 'reconnecting');
    await client.register('peer-late', 6200);
    await client.announce([{ name: 'early.txt' }]);
    server = new TrackerServer({ host: '127.0.0.1', port, dbPath });
    await server.start();
    t.true(await waitFor(() => client.state === 'connected', 5000), `state ${client.state}`);
    await other.connect();
    t.deepEqual(
      (await other.list()).map((m) => [m.name, m.sources[0]?.host]),
      [['early.txt', 'peer-late']],
    );
  } finally {
    await client.close();
    await other.close();
    await server.stop();
    dir.remove();
  }
});

test('without keepTrying a failed first connect leaves the client idle', async (t) => {
  const client = new TrackerClient({ address: '127.0.0.1:1', reconnectMinMs: 20 });
  await t.throwsAsync(client.connect(), { code: 'TRACKER_UNAVAILABLE' } as never);
  await sleep(100);
  t.is(client.state, 'idle');
  await client.close();
});

test('search and list need a live link', async (t) => {
  const client = new TrackerClient({ address: '127.0.0.1:1' });
  await t.throwsAsync(client.connect(), { code: 'TRACKER_UNAVAILABLE' } as never);
  await t.throwsAsync(client.search('x'), { code: 'TRACKER_UNAVAILABLE' } as never);
  await client.close();
});
