import test from 'ava';
import { createTcpNode } from '../../src/dht/create-tcp-node.js';
import { RELEASE } from '../../src/transport/transport.js';

const KiB = 1024;

async function pair(handler: (index: number) => Promise<{ data: Uint8Array }>) {
  const server = await createTcpNode({ port: 0, bits: 16 });
  const client = await createTcpNode({ port: 0, bits: 16 });
  server.handle('file_chunk', ({ index }) => handler(index) as never);
  return { server, client, stop: () => Promise.all([server.stop(), client.stop()]) };
}

const ask = (index: number) => ({ name: 'f', manifest: 'ab'.repeat(32), index });

test('a chunk lands in the buffer the request offers, and the server gets its buffer back once sent', async (t) => {
  const released: number[] = [];
  const { server, client, stop } = await pair(async (index) => {
    const data = Buffer.alloc(256 * KiB, index);
    return { data, [RELEASE]: () => released.push(index) };
  });
  t.teardown(stop);
  for (const index of [1, 2, 3]) {
    const into = new Uint8Array(256 * KiB);
    const r = await client.request(server.self.address, 'file_chunk', ask(index), { into });
    t.is(r.data, into, 'the response field is the offered buffer itself');
    t.true(into.every((b) => b === index));
  }
  // A buffer of the wrong length is not used: the bytes arrive in a fresh one.
  const wrong = new Uint8Array(100);
  const r = await client.request(server.self.address, 'file_chunk', ask(4), { into: wrong });
  t.not(r.data, wrong);
  t.is(r.data.byteLength, 256 * KiB);
  t.true(wrong.every((b) => b === 0));
  t.deepEqual(released.sort(), [1, 2, 3, 4]);
});

test('a request given up before its chunk arrives never writes into its buffer', async (t) => {
  // Each request the server receives waits here until the test answers it; `arrived` resolves
  // once the server holds a request, so nothing depends on how fast this machine is.
  const held: (() => void)[] = [];
  let arrived!: () => void;
  const nextArrival = () => new Promise<void>((r) => (arrived = r));
  let arrival = nextArrival();
  const { server, client, stop } = await pair(async (index) => {
    await new Promise<void>((r) => {
      held.push(r);
      arrived();
    });
    return { data: Buffer.alloc(64 * KiB, index) };
  });
  t.teardown(stop);
  const into = new Uint8Array(64 * KiB);
  const ctl = new AbortController();
  const pending = client.request(server.self.address, 'file_chunk', ask(9), { into, signal: ctl.signal });
  await arrival;
  arrival = nextArrival();
  ctl.abort(new Error('given up'));
  await t.throwsAsync(pending, { message: 'given up' });
  held.shift()?.();
  // The late answer still arrives on the connection; the next request proves it was read past.
  const next = new Uint8Array(64 * KiB);
  const later = client.request(server.self.address, 'file_chunk', ask(7), { into: next });
  await arrival;
  held.shift()?.();
  await later;
  t.true(next.every((b) => b === 7));
  t.true(
    into.every((b) => b === 0),
    'the abandoned buffer is untouched',
  );
});
