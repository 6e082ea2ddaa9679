/**
 * The node-wide work bound: many connections together cannot make a node hold more requests
 * than its budget; the excess gets BUSY at once, and closing the connections leaves nothing
 * in service. Real TCP on loopback.
 */
import test from 'ava';
import { connect } from 'node:net';
import { hashId } from '../../src/core/ring-math.js';
import { TcpTransport } from '../../src/transport/tcp-transport.js';
import type { RequestHandler } from '../../src/transport/transport.js';
import { bodyBytes, WorkBudget } from '../../src/transport/work-budget.js';

test('the budget counts requests and bytes, and gives back what was taken', (t) => {
  const b = new WorkBudget(2, 100);
  t.true(b.take(60));
  t.false(b.take(60), 'over the byte bound');
  t.true(b.take(10));
  t.false(b.take(0), 'over the request bound');
  b.release(60);
  b.release(10);
  t.deepEqual(b.inService, { requests: 0, bytes: 0 });
  t.true(b.take(1000), 'one request larger than the byte bound still passes alone');
  t.is(bodyBytes({ key: 'k', value: new Uint8Array(7), digest: 'x' }), 7);
});

test('many connections flooding together get BUSY beyond the node-wide bound; nothing stays in service', async (t) => {
  const budget = new WorkBudget(8);
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  let started = 0;
  const slow: RequestHandler = async () => {
    started++;
    await gate;
    return { id: '0' } as never;
  };
  let id = '0';
  const server = new TcpTransport({ identity: () => ({ id, bits: 8, routing: 'chord' }), workBudget: budget });
  const address = await server.listen(slow);
  id = hashId(address, 8).toString(16);
  const clients = Array.from(
    { length: 4 },
    () => new TcpTransport({ identity: () => ({ id: '1', bits: 8, routing: 'chord' }), timeoutMs: 5000 }),
  );
  try {
    const calls = clients.flatMap((c) => Array.from({ length: 5 }, () => c.request(address, 'ping', {})));
    let refused = 0;
    for (const c of calls) c.catch(() => refused++);
    // Wait until every request is either in service or refused, then let the slow work finish.
    for (let i = 0; i < 300 && budget.inService.requests + refused < 20; i++)
      await new Promise((r) => setTimeout(r, 10));
    t.is(budget.inService.requests, 8);
    release();
    const outcomes = await Promise.allSettled(calls);
    const codes = outcomes.map((o) => (o.status === 'fulfilled' ? 'OK' : (o.reason as { code: string }).code));
    t.is(codes.filter((c) => c === 'OK').length, 8);
    t.is(codes.filter((c) => c === 'BUSY').length, 12);
    t.is(started, 8);
    t.deepEqual(budget.inService, { requests: 0, bytes: 0 });
  } finally {
    release();
    await Promise.all(clients.map((c) => c.close()));
    await server.close();
  }
});

test('connections beyond the limit per address are closed; idle ones too', async (t) => {
  let id = '0';
  const lines: string[] = [];
  const server = new TcpTransport({
    identity: () => ({ id, bits: 8, routing: 'chord' }),
    limits: { maxConnsPerAddress: 3, limitLoopback: true, idleMs: 300 },
    log: (_l, _topic, m) => void lines.push(m),
  });
  const address = await server.listen((async () => ({ id })) as RequestHandler);
  id = hashId(address, 8).toString(16);
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  const sockets = Array.from({ length: 6 }, () => connect({ host: '127.0.0.1', port }));
  try {
    const closedAt = sockets.map(
      (s) =>
        new Promise<number>((resolve) => {
          const start = Date.now();
          s.on('error', () => undefined); // a refused socket may see a reset: expected here
          s.on('close', () => resolve(Date.now() - start));
        }),
    );
    const times = await Promise.all(closedAt);
    const early = times.filter((ms) => ms < 250).length;
    t.is(early, 3, `closed after ${times.join(', ')} ms`);
    t.true(
      times.every((ms) => ms < 3000),
      'idle ones closed too',
    );
    t.is(lines.filter((l) => /refusing a connection from 127\.0\.0\.1/.test(l)).length, 1, 'logged once');
  } finally {
    for (const s of sockets) s.destroy();
    await server.close();
  }
});
