/** Tracker client calls end as soon as their signal aborts, with a stable ABORTED code. */
import test from 'ava';
import { createServer, type Server, type Socket } from 'node:net';
import { TrackerClient } from '../../src/tracker/tracker-client.js';
import { startTracker } from './helpers.js';

/** A "tracker" that accepts connections and reads, but never answers. */
async function silentTracker(): Promise<{ address: string; sockets: Socket[]; close: () => Promise<void> }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((s) => {
    sockets.push(s);
    s.on('data', () => undefined); // reads everything, answers nothing
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = `127.0.0.1:${(server.address() as { port: number }).port}`;
  const close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return { address, sockets, close };
}

test('search and list end on abort, long before the request timeout; the link stays up', async (t) => {
  const silent = await silentTracker();
  const client = new TrackerClient({ address: silent.address, requestTimeoutMs: 10_000 });
  try {
    await client.connect();
    await t.throwsAsync(client.search('x', { signal: AbortSignal.abort() }), { code: 'ABORTED' });
    const ctl = new AbortController();
    const started = Date.now();
    const search = client.search('anything', { signal: ctl.signal });
    const list = client.list({ signal: ctl.signal });
    setTimeout(() => ctl.abort(), 50);
    await t.throwsAsync(search, { code: 'ABORTED' });
    await t.throwsAsync(list, { code: 'ABORTED' });
    t.true(Date.now() - started < 2000, 'ended by the abort, not by the 10 s timeout');
    t.is(client.state, 'connected');
    const mine = new Error('given up');
    await t.throwsAsync(client.search('x', { signal: AbortSignal.abort(mine) }), { is: mine }, "the caller's reason");
  } finally {
    await client.close();
    await silent.close();
  }
});

test('an aborted connect leaves the client idle, and it can connect again', async (t) => {
  const silent = await silentTracker();
  const client = new TrackerClient({ address: silent.address, requestTimeoutMs: 10_000 });
  try {
    await client.register('me', 1234); // not connected yet: only the desired state
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    await t.throwsAsync(client.connect({ signal: ctl.signal }), { code: 'ABORTED' }, 'the register never answered');
    t.is(client.state, 'idle');
  } finally {
    await client.close();
    await silent.close();
  }
  const tracker = await startTracker();
  const again = new TrackerClient({ address: `127.0.0.1:${tracker.port}` });
  try {
    await again.register('me', 1234);
    await t.throwsAsync(again.connect({ signal: AbortSignal.abort() }), { code: 'ABORTED' });
    t.is(again.state, 'idle');
    await again.connect();
    t.is(again.state, 'connected');
    t.deepEqual(await again.search('nothing', { signal: new AbortController().signal }), []);
  } finally {
    await again.close();
    await tracker.close();
  }
});
