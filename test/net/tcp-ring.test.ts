import test from 'ava';
import { connect } from 'node:net';
import { encode } from '@msgpack/msgpack';
import { createTcpNode } from '../../src/dht/create-tcp-node.js';
import type { ChordNode } from '../../src/dht/chord-node.js';
import { checkRing } from '../../src/sim/ring-check.js';
import { successorIndex } from '../../src/sim/ring-check.js';
import { hashId } from '../../src/core/ring-math.js';
import { PROTOCOL_VERSION } from '../../src/core/constants.js';
import { waitFor } from '../helpers/wait.js';

async function ring(n: number, opts: { routing?: 'chord' | 'naive'; bits?: number } = {}): Promise<ChordNode[]> {
  const nodes: ChordNode[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const node = await createTcpNode({ port: 0, stabilizeMs: 50, bits: opts.bits ?? 160, routing: opts.routing });
      nodes.push(node);
      if (i > 0) await node.join(nodes[i - 1]!.self.address);
    }
    return nodes;
  } catch (e) {
    // A failed join must not leave the nodes made so far listening (the test would never exit).
    await Promise.all(nodes.map((x) => x.stop()));
    throw e;
  }
}

const healthy = (nodes: ChordNode[]) =>
  checkRing(
    nodes.filter((n) => n.member).map((n) => n.snapshot()),
    { fingers: false },
  ).healthy;

test('16 peers on real TCP form one ring and agree on every owner', async (t) => {
  const nodes = await ring(16);
  try {
    t.true(await waitFor(() => healthy(nodes), 15_000), 'ring converges');
    const ids = nodes.map((n) => n.self.id).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [i, node] of nodes.entries()) {
      const r = await node.lookup(`file-${i}.txt`);
      t.is(BigInt('0x' + r.owner.id), ids[successorIndex(ids, hashId(`file-${i}.txt`, 160))]!);
      t.is(r.path.length, r.hops + 1);
    }
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }
});

test('a crashed TCP peer is skipped through the successor list and a leaver hands over', async (t) => {
  const nodes = await ring(8);
  try {
    t.true(await waitFor(() => healthy(nodes), 15_000));
    await nodes[3]!.stop();
    t.true(await waitFor(() => healthy(nodes), 15_000), 'heals after a crash');
    await nodes[5]!.leave();
    t.true(healthy(nodes) || (await waitFor(() => healthy(nodes), 5_000)), 'whole after a graceful leave');
    const r = await nodes[0]!.lookup('x');
    t.truthy(r.owner.id);
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }
});

test('a naive node is refused by a chord ring over TCP', async (t) => {
  const [a] = await ring(1);
  const naive = await createTcpNode({ port: 0, routing: 'naive' });
  try {
    const e = await t.throwsAsync(naive.join(a!.self.address));
    t.regex(e!.message, /routing mismatch/);
  } finally {
    await naive.stop();
    await a!.stop();
  }
});

/** Opens a raw socket to `address`, writes `bytes`, and resolves when the server closes it. */
function rawSession(address: string, bytes: Buffer): Promise<'closed' | 'open'> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const s = connect({ host, port: Number(port) }, () => s.write(bytes));
    const timer = setTimeout(() => (s.destroy(), resolve('open')), 3000);
    s.on('data', () => undefined); // only whether the server closes matters
    s.on('error', () => undefined); // a reset is a close too: 'close' follows
    s.on('close', () => (clearTimeout(timer), resolve('closed')));
  });
}

function frame(value: unknown): Buffer {
  const p = Buffer.from(encode(value));
  const h = Buffer.alloc(4);
  h.writeUInt32BE(p.length);
  return Buffer.concat([h, p]);
}

test('malformed, oversized and wrong-version frames close only that connection', async (t) => {
  const nodes = await ring(3, { bits: 16 });
  const logs: string[] = [];
  nodes[0]!.bus.on('log:line', (l) => logs.push(l.message));
  try {
    const target = nodes[0]!.self.address;
    const huge = Buffer.alloc(4);
    huge.writeUInt32BE(0xfffffff0);
    t.is(await rawSession(target, huge), 'closed');
    t.is(await rawSession(target, frame(['not', 'a', 'frame'])), 'closed');
    t.is(await rawSession(target, Buffer.from('GET / HTTP/1.1\r\n\r\n')), 'closed');
    t.is(
      await rawSession(
        target,
        frame([0, 0, 'hello', { version: 99, id: 'ab', address: null, bits: 16, routing: 'chord' }]),
      ),
      'closed',
    );
    t.is(await rawSession(target, frame([1, 1, 'ping', {}])), 'closed', 'a request before hello');
    t.true(
      logs.some((l) => /exceeds/.test(l)),
      'the oversize is logged with its reason',
    );
    t.true(
      logs.some((l) => /version 99/.test(l)),
      'the version mismatch is logged',
    );
    // The node keeps serving everyone else.
    const r = await nodes[1]!.lookup('still-works');
    t.truthy(r.owner.id);
    t.true(await waitFor(() => healthy(nodes), 5_000));
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }
});

test('requests to a silent peer fail within the timeout', async (t) => {
  const { createServer } = await import('node:net');
  const silent = createServer((s) => s.on('data', () => undefined)); // reads, never answers
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  const port = (silent.address() as { port: number }).port;
  const node = await createTcpNode({ port: 0, rpcTimeoutMs: 300 });
  try {
    const started = Date.now();
    const e = await t.throwsAsync(node.join(`127.0.0.1:${port}`));
    t.regex(e!.message, /cannot join/);
    t.true(Date.now() - started < 8000);
  } finally {
    await node.stop();
    silent.close();
  }
});

test('a peer flooding one connection with requests gets BUSY answers and others are still served', async (t) => {
  const nodes = await ring(2, { bits: 16 });
  try {
    const target = nodes[0]!.self.address;
    const [host, port] = target.split(':');
    const replies: unknown[][] = [];
    const { FrameDecoder } = await import('../../src/wire/codec.js');
    const { decode } = await import('@msgpack/msgpack');
    await new Promise<void>((resolve) => {
      const s = connect({ host, port: Number(port) }, () => {
        const frames = [
          frame([0, 0, 'hello', { version: PROTOCOL_VERSION, id: 'ab', address: null, bits: 16, routing: 'chord' }]),
        ];
        // notify with a far candidate makes the node ping its predecessor first: slow requests.
        const me = { id: nodes[0]!.self.id.toString(16), address: target };
        for (let i = 1; i <= 2000; i++) frames.push(frame([1, i, 'notify', { node: me }]));
        s.write(Buffer.concat(frames));
      });
      const dec = new FrameDecoder();
      s.on('data', (d: Buffer) => {
        for (const f of dec.push(d)) replies.push(decode(f.payload) as unknown[]);
        if (replies.length >= 2001) s.destroy(), resolve();
      });
      s.on('error', () => resolve());
      setTimeout(() => (s.destroy(), resolve()), 5000);
    });
    t.is(replies.length, 2001, 'every request got an answer');
    const busy = replies.filter((r) => r[0] === 3 && r[2] === 'BUSY').length;
    t.true(busy > 0 && busy < 2000, `${busy} BUSY answers`);
    t.true(replies.slice(1).every((r) => r[0] === 2 || r[2] === 'BUSY'));
    const r = await nodes[1]!.lookup('other-peers-still-served');
    t.truthy(r.owner.id);
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }
});
