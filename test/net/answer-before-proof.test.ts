/**
 * A peer that dials us is answered at once, without a probe of the address it claims — but only
 * as a client: what acts for that address (a notify, a store_put) starts the probe and waits for
 * it, and is dropped when the node there denies the peer. The claimed address is held by a
 * scripted listener that keeps the probe unanswered until the test says.
 */
import test from 'ava';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { PROTOCOL_VERSION } from '../../src/core/constants.js';
import { hashId } from '../../src/core/ring-math.js';
import { decodePayload, encodeFrame, type Frame, FrameDecoder } from '../../src/wire/codec.js';
import { createTcpNode } from '../../src/dht/create-tcp-node.js';
import { TcpTransport } from '../../src/transport/tcp-transport.js';
import type { PeerInfo, RequestHandler } from '../../src/transport/transport.js';

const BITS = 16;
const WAIT_MS = 4000;

/** A socket speaking frames: send one, or wait (bounded) for the next one received. */
class Framed {
  private readonly frames: Frame[] = [];
  private wake: (() => void) | null = null;
  private readonly decoder = new FrameDecoder();

  constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      for (const f of this.decoder.push(d)) this.frames.push(decodePayload(f.payload, f.tail));
      this.wake?.();
    });
    socket.on('error', () => this.wake?.()); // the test sees the missing frame instead
  }

  send(f: Frame): void {
    this.socket.write(encodeFrame(f));
  }

  async next(what: string): Promise<Frame> {
    const end = Date.now() + WAIT_MS;
    while (this.frames.length === 0) {
      if (Date.now() > end || this.socket.destroyed) throw new Error(`no ${what} within ${WAIT_MS} ms`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 50);
      });
    }
    return this.frames.shift()!;
  }
}

function helloFor(address: string | null, token?: string): Frame {
  const id = hashId(address ?? 'client', BITS).toString(16);
  const body = { version: PROTOCOL_VERSION, id, address, bits: BITS, routing: 'chord' as const };
  return { kind: 'hello', body: token ? { ...body, token } : body };
}

/**
 * Listens where the peer claims to live and answers the hello of the target's probe; the probe
 * itself waits in `probe` until the test answers it with `answerProbe`.
 */
async function claimedAddress() {
  let conn: Framed | null = null;
  let address = '';
  type Probe = { id: number; token: string };
  const probe = { resolve: (_p: Probe) => undefined as void, reject: (_e: unknown) => undefined as void };
  const probed = new Promise<Probe>((resolve, reject) => Object.assign(probe, { resolve, reject }));
  const server: Server = createServer(async (s) => {
    try {
      conn = new Framed(s);
      await conn.next('probe hello');
      conn.send(helloFor(address));
      const f = await conn.next('probe request');
      if (f.kind !== 'request') throw new Error(`expected the probe request, got ${f.kind}`);
      probe.resolve({ id: f.id, token: (f.body as { token: string }).token });
    } catch (e) {
      probe.reject(e);
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  address = `127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    address,
    probed,
    asked: () => conn !== null,
    answerProbe: (id: number, mine: boolean) => conn!.send({ kind: 'response', id, body: { mine } }),
    close: () => (conn?.socket.destroy(), new Promise<void>((r) => server.close(() => r()))),
  };
}

async function target(seen: { type: string; from: PeerInfo }[]) {
  let id = '0';
  const handler: RequestHandler = async (type, _body, from) => {
    seen.push({ type, from });
    return (type === 'ping' ? { id } : {}) as never;
  };
  const t = new TcpTransport({ identity: () => ({ id, bits: BITS, routing: 'chord' }), timeoutMs: 3000 });
  const address = await t.listen(handler);
  id = hashId(address, BITS).toString(16);
  return { t, address };
}

/** Dials `to` claiming `claimed`; resolves once the hello was answered. */
async function dialClaiming(to: string, claimed: string): Promise<Framed> {
  const cut = to.lastIndexOf(':');
  const s = connect({ host: to.slice(0, cut), port: Number(to.slice(cut + 1)) });
  await once(s, 'connect');
  const peer = new Framed(s);
  peer.send(helloFor(claimed, 'c0ffee'));
  const hello = await peer.next('hello');
  if (hello.kind !== 'hello') throw new Error(`expected a hello, got ${hello.kind}`);
  return peer;
}

const notify = (id: number, claimed: string): Frame => ({
  kind: 'request',
  id,
  type: 'notify',
  body: { node: { id: hashId(claimed, BITS).toString(16), address: claimed } },
});

/** A listener at the address a peer claims, that answers the target's probe when told to. */
type Claimed = Awaited<ReturnType<typeof claimedAddress>>;

/** A target node, a claimed address, and a peer dialing the target claiming it: `run` gets them; all closed after. */
async function withClaimingPeer(
  run: (peer: Framed, claimed: Claimed, seen: { type: string; from: PeerInfo }[]) => Promise<void>,
): Promise<void> {
  const seen: { type: string; from: PeerInfo }[] = [];
  const node = await target(seen);
  const claimed = await claimedAddress();
  let peer: Framed | null = null;
  try {
    peer = await dialClaiming(node.address, claimed.address);
    await run(peer, claimed, seen);
  } finally {
    peer?.socket.destroy();
    await claimed.close();
    await node.t.close();
  }
}

test('an unproven peer is answered at once as a client; its notify waits for the probe', (t) =>
  withClaimingPeer(async (peer, claimed, seen) => {
    peer.send({ kind: 'request', id: 1, type: 'ping', body: {} });
    const pong = await peer.next('ping answer');
    t.like(pong, { kind: 'response', id: 1 });
    t.false(claimed.asked(), 'a ping needs no probe');
    t.deepEqual(seen, [
      {
        type: 'ping',
        from: {
          id: hashId(claimed.address, BITS).toString(16),
          address: null,
          remote: '127.0.0.1',
          claimed: claimed.address,
        },
      },
    ]);
    peer.send(notify(2, claimed.address));
    const probe = await claimed.probed; // the notify made the target ask; nobody has answered it
    t.is(probe.token, 'c0ffee');
    peer.send({ kind: 'request', id: 3, type: 'ping', body: {} });
    // Frames are served in order: the ping after the notify is answered, the notify is not.
    t.like(await peer.next('second ping answer'), { kind: 'response', id: 3 });
    t.deepEqual(
      seen.map((s) => s.type),
      ['ping', 'ping'],
      'the notify has not reached the node',
    );
    claimed.answerProbe(probe.id, true);
    t.like(await peer.next('notify answer'), { kind: 'response', id: 2 });
    t.deepEqual(seen[2], {
      type: 'notify',
      from: { id: hashId(claimed.address, BITS).toString(16), address: claimed.address, remote: '127.0.0.1' },
    });
  }));

test('a notify from a peer the node at its address denies never reaches the node', (t) =>
  withClaimingPeer(async (peer, claimed, seen) => {
    peer.send(notify(1, claimed.address));
    peer.send({ kind: 'request', id: 2, type: 'store_put', body: { key: 'k', value: new Uint8Array(4), replica: 1 } });
    const probe = await claimed.probed;
    peer.send({ kind: 'request', id: 3, type: 'ping', body: {} });
    t.like(await peer.next('ping answer'), { kind: 'response', id: 3 });
    claimed.answerProbe(probe.id, false);
    const refused = await peer.next('refusal');
    t.like(refused, { kind: 'refused', code: 'UNVERIFIED' });
    t.regex((refused as { message: string }).message, /says this peer is not it/);
    t.deepEqual(
      seen.map((s) => s.type),
      ['ping'],
    );
  }));

test('a chord node takes a notifying stranger as predecessor only once its address is proven', async (t) => {
  const node = await createTcpNode({ port: 0, bits: BITS, stabilizeMs: 60_000 });
  const claimed = await claimedAddress();
  let peer: Framed | null = null;
  try {
    peer = await dialClaiming(node.self.address, claimed.address);
    t.is(node.snapshot().predecessor, null);
    peer.send(notify(1, claimed.address));
    const probe = await claimed.probed;
    peer.send({ kind: 'request', id: 2, type: 'ping', body: {} });
    t.like(await peer.next('ping answer'), { kind: 'response', id: 2 });
    t.is(node.snapshot().predecessor, null, 'not adopted while the probe is out');
    claimed.answerProbe(probe.id, true);
    t.like(await peer.next('notify answer'), { kind: 'response', id: 1 });
    t.is(node.snapshot().predecessor?.address, claimed.address);
  } finally {
    peer?.socket.destroy();
    await node.stop();
    await claimed.close();
  }
});
