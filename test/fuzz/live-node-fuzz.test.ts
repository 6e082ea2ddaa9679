/**
 * Fuzzed frames against a live node on loopback: after hundreds of connections sending mutated
 * frames (behind a valid hello, or alone), split at random points, the node still answers.
 */
import test from 'ava';
import fc from 'fast-check';
import { connect } from 'node:net';
import { PROTOCOL_VERSION } from '../../src/core/constants.js';
import { createTcpNode } from '../../src/dht/create-tcp-node.js';
import { encodeFrame } from '../../src/wire/codec.js';
import { hostileStream } from './fuzz-properties.js';

const hello = encodeFrame({
  kind: 'hello',
  body: { version: PROTOCOL_VERSION, id: 'ab', address: null, bits: 16, routing: 'chord' },
});

/** Writes `bytes` in pieces, then gives the node a moment and closes. */
function send(port: number, bytes: Buffer, cuts: number[]): Promise<void> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, async () => {
      let prev = 0;
      for (const c of [...cuts.map((x) => x % (bytes.length + 1)).sort((a, b) => a - b), bytes.length]) {
        if (s.destroyed) break;
        s.write(bytes.subarray(prev, Math.max(prev, c)));
        prev = Math.max(prev, c);
        await new Promise((r) => setImmediate(r));
      }
      setTimeout(() => s.destroy(), 5);
    });
    s.on('error', () => undefined); // the node closing on bad bytes is the expected outcome
    s.on('close', () => resolve());
  });
}

test('a live node survives 400 fuzzed connections and still answers', async (t) => {
  const node = await createTcpNode({ port: 0, bits: 16 });
  const other = await createTcpNode({ port: 0, bits: 16 });
  try {
    const port = Number(node.self.address.split(':').pop());
    await fc.assert(
      fc.asyncProperty(
        hostileStream,
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 4 }),
        async (bytes, withHello, cuts) => {
          await send(port, withHello ? Buffer.concat([hello, bytes]) : bytes, cuts);
          return true;
        },
      ),
      { numRuns: 400, seed: 1313 },
    );
    await other.join(node.self.address);
    const r = await other.lookup('still-answering');
    t.truthy(r.owner.address);
  } finally {
    await other.stop();
    await node.stop();
  }
});
