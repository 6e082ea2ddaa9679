/**
 * RPC timeouts follow each peer's measured round trip (real TCP on loopback): a peer that
 * answers in 300 ms is never declared dead, and a fast peer that stops answering is noticed
 * well before the fixed 2 s default.
 */
import test from 'ava';
import { DEFAULT_RPC_TIMEOUT_MS, RTO_FLOOR_MS } from '../../src/core/constants.js';
import { hashId } from '../../src/core/ring-math.js';
import { TcpTransport } from '../../src/transport/tcp-transport.js';
import type { RequestHandler } from '../../src/transport/transport.js';

/** A transport whose hello id is the hash of its address (known once listening), as peers check. */
async function listening(handler: RequestHandler): Promise<{ transport: TcpTransport; address: string }> {
  let id = '0';
  const transport = new TcpTransport({ identity: () => ({ id, bits: 8, routing: 'chord' as const }) });
  const address = await transport.listen(handler);
  id = hashId(address, 8).toString(16);
  return { transport, address };
}

async function pair(handler: RequestHandler): Promise<{ client: TcpTransport; server: TcpTransport; to: string }> {
  const server = await listening(handler);
  const client = await listening(async () => ({}) as never);
  return { client: client.transport, server: server.transport, to: server.address };
}

test('a peer answering in 300 ms is not timed out, whatever the number of requests', async (t) => {
  const { client, server, to } = await pair(
    async () => (await new Promise((r) => setTimeout(r, 300)), { id: 'cd' }) as never,
  );
  t.teardown(() => Promise.all([client.close(), server.close()]));
  for (let i = 0; i < 6; i++) t.deepEqual(await client.request(to, 'ping', {}), { id: 'cd' });
});

/** A reply that never comes (a peer hung, or its link gone). */
const never = new Promise<never>(() => undefined);

test('a fast peer that stops answering is noticed at the floor, not after the fixed default', async (t) => {
  let silent = false;
  const { client, server, to } = await pair(async () => (silent ? never : ({ id: 'cd' } as never)));
  t.teardown(() => Promise.all([client.close(), server.close()]));
  for (let i = 0; i < 20; i++) await client.request(to, 'ping', {});
  silent = true;
  const started = performance.now();
  await t.throwsAsync(client.request(to, 'ping', {}), { message: new RegExp(`within ${RTO_FLOOR_MS} ms`) });
  const took = performance.now() - started;
  t.true(took < DEFAULT_RPC_TIMEOUT_MS / 2, `noticed after ${Math.round(took)} ms`);
  await t.throwsAsync(client.request(to, 'ping', {}), { message: new RegExp(`within ${2 * RTO_FLOOR_MS} ms`) });
});
