/**
 * Per-peer limits against live nodes over real TCP on loopback: a flooding peer gets BUSY while
 * another is served, store_put beyond a peer's quota gets QUOTA and loses nothing, stalled and
 * idle connections are closed (not the busy or pooled ones), and 1,000 idle sockets leave the
 * node serving a normal peer. Bounds are shortened so each test takes a few seconds.
 */
import test from 'ava';
import { connect, type Socket } from 'node:net';
import { createTcpNode } from '../../src/dht/create-tcp-node.js';
import { hashId } from '../../src/core/ring-math.js';
import { RingStore } from '../../src/store/ring-store.js';
import { TcpTransport } from '../../src/transport/tcp-transport.js';
import type { PeerLimits } from '../../src/transport/peer-limits.js';
import type { RequestHandler } from '../../src/transport/transport.js';
import { PROTOCOL_VERSION } from '../../src/core/constants.js';
import { encodeFrame } from '../../src/wire/codec.js';
import { waitFor } from '../helpers/wait.js';

const BITS = 16;
const codeOf = (e: unknown) => (e as { code?: string }).code ?? String(e);

/** A client endpoint with no address of its own (keyed by its remote IP at the node). */
function client(timeoutMs = 5000): TcpTransport {
  return new TcpTransport({ identity: () => ({ id: '1', bits: BITS, routing: 'chord' }), timeoutMs });
}

/** A bare transport serving `handler` under `limits`; its id follows its address. */
async function server(limits: PeerLimits, handler?: RequestHandler, lines: string[] = []) {
  let id = '0';
  const t = new TcpTransport({
    identity: () => ({ id, bits: BITS, routing: 'chord' }),
    limits,
    log: (_l, _topic, m) => void lines.push(m),
  });
  const address = await t.listen(handler ?? ((async () => ({ id })) as RequestHandler));
  id = hashId(address, BITS).toString(16);
  return { t, address, port: Number(address.slice(address.lastIndexOf(':') + 1)) };
}

/** Resolves with the ms from now until `s` closes. */
function closedAfter(s: Socket): Promise<number> {
  const start = Date.now();
  return new Promise((resolve) => {
    s.on('error', () => undefined); // a reset when the node closes the socket is expected here
    s.on('close', () => resolve(Date.now() - start));
  });
}

/** A raw socket that has said hello (as a client without an address) and got the node's hello back. */
async function helloSocket(port: number, host = '127.0.0.1'): Promise<Socket> {
  const s = connect({ host, port });
  const hello = {
    version: PROTOCOL_VERSION,
    id: '1',
    address: null,
    bits: BITS,
    routing: 'chord' as const,
    token: 'ab',
  };
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.once('data', () => resolve());
    s.write(encodeFrame({ kind: 'hello', body: hello }));
  });
  return s;
}

test('a flooding peer gets BUSY while another peer’s lookups and a get succeed', async (t) => {
  const a = await createTcpNode({
    bits: BITS,
    stabilizeMs: 100,
    peerLimits: { requestsPerSecond: 100, maxOutstanding: 16 },
  });
  const b = await createTcpNode({ bits: BITS, stabilizeMs: 100 });
  const storeA = new RingStore(a);
  const storeB = new RingStore(b);
  storeA.start();
  storeB.start();
  const flooder = client();
  let flooding = true;
  try {
    await b.join(a.self.address);
    await storeB.put('kept', Buffer.from('still here'));
    const codes = new Map<string, number>();
    const flood = (async () => {
      while (flooding) {
        const batch = Array.from({ length: 200 }, () => flooder.request(a.self.address, 'ping', {}));
        for (const r of await Promise.allSettled(batch)) {
          const code = r.status === 'fulfilled' ? 'OK' : codeOf(r.reason);
          codes.set(code, (codes.get(code) ?? 0) + 1);
        }
      }
    })();
    t.true(await waitFor(() => (codes.get('BUSY') ?? 0) > 500, 5000), 'the flood is being refused');
    // Meanwhile the other peer is served: lookup steps and a read straight from the flooded node.
    for (let i = 0; i < 20; i++) {
      const step = await b.request(a.self.address, 'find_step', { key: (i * 997).toString(16), exclude: [] });
      t.truthy(step.node);
      t.truthy(await b.lookup(`key-${i}`));
    }
    const got = await b.request(a.self.address, 'store_get', { key: 'kept' });
    t.is(Buffer.from(got.value!).toString(), 'still here');
    flooding = false;
    await flood;
    t.true((codes.get('BUSY') ?? 0) > 0, JSON.stringify([...codes]));
    t.true((codes.get('OK') ?? 0) > 0, 'the flooder is still served at its rate');
    t.deepEqual(
      [...codes.keys()].filter((c) => c !== 'OK' && c !== 'BUSY'),
      [],
      'no timeouts or closed connections',
    );
  } finally {
    flooding = false;
    await flooder.close();
    await storeB.stop();
    await storeA.stop();
    await b.stop();
    await a.stop();
  }
});

test('store_put beyond a peer’s quota gets QUOTA; what was stored stays, and other peers still store', async (t) => {
  const a = await createTcpNode({ bits: BITS, stabilizeMs: 100 });
  const store = new RingStore(a, { quotaBytesPerPeer: 100_000 });
  store.start();
  const c = client();
  const other = await createTcpNode({ bits: BITS, stabilizeMs: 100 });
  try {
    const value = (n: number) => Buffer.alloc(40_000, n);
    const put = (key: string, n: number) =>
      c.request(a.self.address, 'store_put', { key, value: value(n), replica: 1, kind: 'value' });
    await put('k1', 1);
    await put('k2', 2);
    const refused = await put('k3', 3).catch((e: unknown) => e);
    t.is(codeOf(refused), 'QUOTA');
    t.regex((refused as Error).message, /quota of 100000/);
    await put('k2', 4); // a rewrite charges only the difference
    t.true(Buffer.from((await c.request(a.self.address, 'store_get', { key: 'k1' })).value!).equals(value(1)));
    t.true(Buffer.from((await c.request(a.self.address, 'store_get', { key: 'k2' })).value!).equals(value(4)));
    t.is((await c.request(a.self.address, 'store_get', { key: 'k3' })).value, null, 'the refused value was not stored');
    await other.request(a.self.address, 'store_put', { key: 'k4', value: value(5), replica: 1, kind: 'value' });
    t.true(Buffer.from((await c.request(a.self.address, 'store_get', { key: 'k4' })).value!).equals(value(5)));
  } finally {
    await c.close();
    await other.stop();
    await store.stop();
    await a.stop();
  }
});

test('half a frame then silence is closed after the slow-frame bound; an idle connection after the idle bound', async (t) => {
  const { t: node, port } = await server({ slowFrameMs: 300, idleMs: 3000 });
  try {
    const half = connect({ host: '127.0.0.1', port });
    const halfClosed = closedAfter(half);
    half.write(Buffer.from([0, 0, 0, 100, 1, 2, 3])); // a 100-byte frame, 3 bytes of it
    const afterHello = await helloSocket(port);
    const midRequest = closedAfter(afterHello);
    afterHello.write(Buffer.from([0, 0, 0, 50, 9]));
    const idle = await helloSocket(port);
    const idleClosed = closedAfter(idle);
    const [h, m, i] = await Promise.all([halfClosed, midRequest, idleClosed]);
    // The stalled ones go well before the idle bound could close them; the idle one not before it.
    t.true(h < 2500 && m < 2500, `half-sent hello closed after ${h} ms, half-sent request after ${m} ms`);
    t.true(i >= 2900 && i < 10_000, `idle closed after ${i} ms`);
  } finally {
    await node.close();
  }
});

test('a connection with a long request in service is not idle, and a pooled connection closed idle is redialed', async (t) => {
  let slow = false;
  const handler = (async () => {
    if (slow) await new Promise((r) => setTimeout(r, 1200));
    return { id: '0' };
  }) as RequestHandler;
  const { t: node, address } = await server({ idleMs: 400, slowFrameMs: 200 }, handler);
  const c = client();
  try {
    await c.request(address, 'ping', {});
    slow = true;
    t.deepEqual(await c.request(address, 'ping', {}), { id: '0' }, 'answered after 3 idle bounds of work');
    slow = false;
    await new Promise((r) => setTimeout(r, 1000)); // the node closes the pooled connection meanwhile
    t.deepEqual(await c.request(address, 'ping', {}), { id: '0' }, 'redialed transparently');
  } finally {
    await c.close();
    await node.close();
  }
});

test('1,000 idle sockets: a normal peer is served meanwhile, and they are all closed', async (t) => {
  const { t: node, address, port } = await server({ maxConnsPerAddress: 100, limitLoopback: true, idleMs: 800 });
  const c = client();
  const sockets: Socket[] = [];
  try {
    // The normal peer is connected first. The sockets come in waves that fit the listen backlog
    // (511): a larger burst would leave some waiting on SYN retries (up to minutes on a loaded
    // machine) instead of testing the node.
    await c.request(address, 'ping', {});
    const closed: Promise<number>[] = [];
    for (let wave = 0; wave < 4; wave++) {
      const opened: Promise<void>[] = [];
      for (let i = 0; i < 250; i++) {
        const s = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
        sockets.push(s);
        closed.push(closedAfter(s));
        opened.push(new Promise((resolve) => (s.once('connect', resolve), s.once('close', resolve))));
      }
      await Promise.all(opened);
      t.truthy(await c.request(address, 'ping', {}), 'the normal peer is served during the flood');
    }
    for (let i = 0; i < 20; i++) t.truthy(await c.request(address, 'ping', {}), 'the normal peer is served');
    const times = await Promise.all(closed);
    t.is(times.length, 1000);
    t.true(Math.max(...times) < 15_000, `all closed, the last after ${Math.max(...times)} ms`);
    t.truthy(await c.request(address, 'ping', {}), 'still serving afterwards');
  } finally {
    for (const s of sockets) s.destroy();
    await c.close();
    await node.close();
  }
});
