/**
 * The address probe rides on a connection we already hold to the claimed address instead of
 * opening another (on a private network: one TLS handshake less per new peer), and over it a
 * claim the node there denies is still refused.
 */
import test from 'ava';
import { connect } from 'node:net';
import { PROTOCOL_VERSION } from '../../src/core/constants.js';
import { hashId } from '../../src/core/ring-math.js';
import { decodePayload, encodeFrame, FrameDecoder } from '../../src/wire/codec.js';
import { networkKey, parseSecret } from '../../src/transport/network-secret.js';
import { TcpTransport } from '../../src/transport/tcp-transport.js';
import type { RequestHandler } from '../../src/transport/transport.js';

const BITS = 16;
const KEY = networkKey(parseSecret('3c'.repeat(32)));

async function node(key: Buffer | undefined) {
  let id = '0';
  const handler: RequestHandler = async (type) => (type === 'ping' ? { id } : {}) as never;
  const t = new TcpTransport({
    identity: () => ({ id, bits: BITS, routing: 'chord' }),
    timeoutMs: 3000,
    networkKey: key,
  });
  const address = await t.listen(handler);
  id = hashId(address, BITS).toString(16);
  return { t, address };
}

for (const [name, key] of [
  ['open', undefined],
  ['private', KEY],
] as const) {
  test(`${name} network: a peer we already reach is checked over that connection, not a new one`, async (t) => {
    const a = await node(key);
    const b = await node(key);
    try {
      // b dials a (kept), and a checks b's claim on a connection of its own to b (closed after);
      // stabilize_now acts for its sender, so it is answered once that check is done.
      await b.t.request(a.address, 'stabilize_now', {});
      t.is(a.t.accepted, 1);
      t.is(b.t.accepted, 1);
      // a dials b; b checks a's claim over the connection it keeps to a: a accepts nothing new.
      await a.t.request(b.address, 'stabilize_now', {});
      t.is(b.t.accepted, 2);
      t.is(a.t.accepted, 1);
    } finally {
      await Promise.all([a.t.close(), b.t.close()]);
    }
  });
}

test('over a kept connection, a claim the node there denies is refused', async (t) => {
  const a = await node(undefined);
  const b = await node(undefined);
  try {
    await b.t.request(a.address, 'ping', {}); // b keeps a connection to a
    const before = a.t.accepted;
    const answer = await claim(b.address, a.address, 'f00dfeed');
    t.is(answer.kind, 'refused');
    t.regex((answer as { message: string }).message, /says this peer is not it/);
    t.is(a.t.accepted, before, 'asked over the kept connection');
  } finally {
    await Promise.all([a.t.close(), b.t.close()]);
  }
});

/** Sends a hello claiming `address` from a raw socket; resolves with the first frame back after the hello (a request that needs the claim checked is sent too). */
function claim(to: string, address: string, token: string): Promise<ReturnType<typeof decodePayload>> {
  const cut = to.lastIndexOf(':');
  return new Promise((resolve, reject) => {
    const s = connect({ host: to.slice(0, cut), port: Number(to.slice(cut + 1)) }, () => {
      const id = hashId(address, BITS).toString(16);
      const body = { version: PROTOCOL_VERSION, id, address, bits: BITS, routing: 'chord', token };
      s.write(encodeFrame({ kind: 'hello', body: body as never }));
      // A request that acts for the claimed address: the node checks the claim before serving it.
      s.write(encodeFrame({ kind: 'request', id: 1, type: 'stabilize_now', body: {} }));
    });
    const dec = new FrameDecoder();
    const timer = setTimeout(() => (s.destroy(), reject(new Error('no answer'))), 8000);
    s.on('data', (d: Buffer) => {
      for (const f of dec.push(d)) {
        const frame = decodePayload(f.payload, f.tail);
        if (frame.kind !== 'hello') return (clearTimeout(timer), s.destroy(), resolve(frame));
      }
    });
    s.on('error', reject);
  });
}
