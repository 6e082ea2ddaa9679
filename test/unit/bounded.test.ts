import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import test from 'ava';
import { bounded } from '../../src/transport/bounded.js';

/** A promise that never settles: the wait can only end by its timeout or an abort. */
const never = (): Promise<never> => new Promise<never>(() => undefined);

/** Blocks the event loop, as a process starved of CPU or in a long GC pause is. */
function stall(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

async function socketPair(): Promise<{ a: Socket; b: Socket; close: () => void }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  const a = connect((server.address() as AddressInfo).port, '127.0.0.1');
  await once(a, 'connect');
  const [b] = (await accepted) as [Socket];
  return { a, b, close: () => (a.destroy(), b.destroy(), server.close()) };
}

test('an answer that arrived while the process stalled past the timeout wins over the timeout', async (t) => {
  const { a, b, close } = await socketPair();
  try {
    const answer = once(a, 'data').then(([chunk]) => String(chunk));
    const wait = bounded(answer, 50, undefined, () => new Error('timed out'));
    b.write('pong'); // reaches a's receive buffer at once
    stall(200); // the 50 ms timer is long due when the loop runs again
    t.is(await wait, 'pong');
  } finally {
    close();
  }
});

test('with no answer the timeout still fires, once, after its time', async (t) => {
  let made = 0;
  const started = performance.now();
  const err = await t.throwsAsync(bounded(never(), 30, undefined, () => (made++, new Error('timed out'))));
  t.is(err?.message, 'timed out');
  t.true(performance.now() - started >= 29);
  t.is(made, 1);
});

test('an abort ends the wait with its reason, and a timer due later changes nothing', async (t) => {
  const ac = new AbortController();
  let made = 0;
  const wait = bounded(never(), 20, ac.signal, () => (made++, new Error('timed out')));
  ac.abort(new Error('stopped'));
  await t.throwsAsync(wait, { message: 'stopped' });
  await new Promise((r) => setTimeout(r, 40));
  t.is(made, 0);
});
