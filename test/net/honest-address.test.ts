/**
 * Honest addresses on real TCP: a peer is served under the address it claims only after the
 * node listening there confirmed, by the hello's token, that the peer is itself.
 */
import test from 'ava';
import { connect } from 'node:net';
import { PROTOCOL_VERSION } from '../../src/core/constants.js';
import { hashId } from '../../src/core/ring-math.js';
import { decodePayload, encodeFrame, FrameDecoder } from '../../src/wire/codec.js';
import { TcpTransport } from '../../src/transport/tcp-transport.js';
import type { PeerInfo, RequestHandler } from '../../src/transport/transport.js';

const BITS = 16;

async function node(seen: PeerInfo[] = []) {
  let id = '0';
  const handler: RequestHandler = async (type, _body, from) => {
    seen.push(from);
    return (type === 'ping' ? { id } : {}) as never;
  };
  const t = new TcpTransport({ identity: () => ({ id, bits: BITS, routing: 'chord' }), timeoutMs: 3000 });
  const address = await t.listen(handler);
  id = hashId(address, BITS).toString(16);
  return { t, address, id };
}

/**
 * Sends a hello claiming `address` from a raw socket; resolves with the first frame back after
 * the hello (which is answered at once, before the claim is checked), asking what needs the check.
 */
function claim(to: string, address: string, token: string): Promise<ReturnType<typeof decodePayload>> {
  const [host, port] = [to.slice(0, to.lastIndexOf(':')), Number(to.slice(to.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    const s = connect({ host, port }, () => {
      const body = {
        version: PROTOCOL_VERSION,
        id: hashId(address, BITS).toString(16),
        address,
        bits: BITS,
        routing: 'chord',
        token,
      };
      s.write(encodeFrame({ kind: 'hello', body: body as never }));
      // A request that acts for the claimed address: the node checks the claim before serving it.
      s.write(encodeFrame({ kind: 'request', id: 1, type: 'stabilize_now', body: {} }));
    });
    const dec = new FrameDecoder();
    s.on('data', (d: Buffer) => {
      for (const f of dec.push(d)) {
        const frame = decodePayload(f.payload, f.tail);
        if (frame.kind !== 'hello') return (s.destroy(), resolve(frame));
      }
    });
    s.on('error', reject);
    setTimeout(() => (s.destroy(), reject(new Error('no answer'))), 8000);
  });
}

test('a peer claiming the address of another node is refused', async (t) => {
  const honest = await node();
  const target = await node();
  try {
    const answer = await claim(target.address, honest.address, 'f00dfeed');
    t.is(answer.kind, 'refused');
    t.regex((answer as { message: string }).message, /says this peer is not it/);
  } finally {
    await honest.t.close();
    await target.t.close();
  }
});

test('a peer claiming an address where nobody listens is refused', async (t) => {
  const target = await node();
  const gone = await node();
  const goneAddress = gone.address;
  await gone.t.close();
  try {
    const answer = await claim(target.address, goneAddress, 'f00dfeed');
    t.is(answer.kind, 'refused');
    t.regex((answer as { message: string }).message, /did not confirm/);
  } finally {
    await target.t.close();
  }
});

test('an honest node is served under its own address', async (t) => {
  const seen: PeerInfo[] = [];
  const a = await node();
  const b = await node(seen);
  try {
    // A request that acts for its sender waits for the address probe (see before-proof.ts).
    t.deepEqual(await a.t.request(b.address, 'stabilize_now', {}), {});
    t.deepEqual(seen, [{ id: a.id, address: a.address, remote: '127.0.0.1' }]);
    t.deepEqual(await a.t.request(b.address, 'ping', {}), { id: b.id });
    t.deepEqual(seen[1], { id: a.id, address: a.address, remote: '127.0.0.1' });
  } finally {
    await a.t.close();
    await b.t.close();
  }
});
