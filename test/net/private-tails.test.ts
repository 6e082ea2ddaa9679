/**
 * Encrypted connections decrypt into one read buffer shared by all of a transport's dials:
 * chunks fetched at once from two private-network peers, each into its own slot or a fresh
 * buffer, arrive whole and unmixed.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { hashId } from '../../src/core/ring-math.js';
import { networkKey, parseSecret } from '../../src/transport/network-secret.js';
import { TcpTransport } from '../../src/transport/tcp-transport.js';
import type { RequestHandler } from '../../src/transport/transport.js';

const KEY = networkKey(parseSecret('9e'.repeat(32)));
const CHUNK = 1024 * 1024 + 333; // not a multiple of a TLS record

/** A private-network transport serving `chunks[index]` as file_chunk. */
async function server(chunks: Buffer[]) {
  let id = '0';
  const handler: RequestHandler = async (type, body) =>
    (type === 'file_chunk' ? { data: chunks[(body as { index: number }).index]! } : { id }) as never;
  const t = new TcpTransport({ identity: () => ({ id, bits: 16, routing: 'chord' }), networkKey: KEY });
  const address = await t.listen(handler);
  id = hashId(address, 16).toString(16);
  return { t, address };
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

test('chunks from two private peers at once arrive whole, into their slots or fresh buffers', async (t) => {
  const chunks = Array.from({ length: 4 }, () => randomBytes(CHUNK));
  const servers = [await server(chunks), await server(chunks)];
  const client = new TcpTransport({ identity: () => ({ id: '1', bits: 16, routing: 'chord' }), networkKey: KEY });
  t.teardown(() => Promise.all([client.close(), ...servers.map((s) => s.t.close())]));
  const fetches = [];
  for (let round = 0; round < 3; round++)
    for (const [k, s] of servers.entries())
      for (let index = 0; index < chunks.length; index++) {
        const into = (index + k) % 2 ? new Uint8Array(CHUNK) : undefined;
        const body = { name: 'f', manifest: 'ab'.repeat(32), index };
        fetches.push(client.request(s.address, 'file_chunk', body, { into }).then((r) => ({ r, into, index })));
      }
  for (const { r, into, index } of await Promise.all(fetches)) {
    if (into) t.is(r.data, into);
    t.is(sha(r.data), sha(chunks[index]!));
  }
  t.is(client.dialed, 2);
});
