/**
 * Private networks on real TCP: nodes holding the same secret talk over PSK TLS; a node with
 * another secret, or none, is refused and both sides say why.
 */
import test from 'ava';
import { hashId } from '../../src/core/ring-math.js';
import type { LogFn } from '../../src/core/log.js';
import { networkKey, parseSecret } from '../../src/transport/network-secret.js';
import { TcpTransport } from '../../src/transport/tcp-transport.js';
import type { RequestHandler } from '../../src/transport/transport.js';

const KEY_A = networkKey(parseSecret('11'.repeat(32)));
const KEY_B = networkKey(parseSecret('22'.repeat(32)));
const pong: RequestHandler = async () => ({ id: 'ab' }) as never;

function transport(key: Buffer | undefined, lines: string[], alternate = false): TcpTransport {
  // The hello's id must be the hash of the address, known once listening.
  let id = '0';
  const identity = () => ({ id, bits: 8, routing: 'chord' as const });
  const log: LogFn = (level, _topic, message) => void lines.push(`${level} ${message}`);
  const t = new TcpTransport({
    identity,
    log,
    networkKey: key,
    timeoutMs: 2000,
    alternate: alternate ? { match: () => false, accept: (s) => void s.destroy() } : undefined,
  });
  const listen = t.listen.bind(t);
  t.listen = async (h) => {
    const address = await listen(h);
    id = hashId(address, 8).toString(16);
    return address;
  };
  return t;
}

async function pair(serverKey: Buffer | undefined, clientKey: Buffer | undefined, alternate = false) {
  const serverLog: string[] = [];
  const clientLog: string[] = [];
  const server = transport(serverKey, serverLog, alternate);
  const client = transport(clientKey, clientLog);
  const address = await server.listen(pong);
  return { server, client, address, serverLog, clientLog };
}

test('nodes sharing the secret talk, encrypted', async (t) => {
  const { server, client, address } = await pair(KEY_A, KEY_A);
  try {
    t.deepEqual(await client.request(address, 'ping', {}), { id: 'ab' });
    t.deepEqual(await client.request(address, 'ping', {}), { id: 'ab' });
  } finally {
    await client.close();
    await server.close();
  }
});

test('a wrong secret is refused with the reason on both sides', async (t) => {
  const { server, client, address, serverLog, clientLog } = await pair(KEY_A, KEY_B);
  try {
    const e = await t.throwsAsync(client.request(address, 'ping', {}));
    t.regex(e!.message, /does not share this network's secret/);
    await waitUntil(() => serverLog.some((l) => /refusing .*does not share this network's secret/.test(l)));
    t.true(clientLog.some((l) => /does not share this network's secret/.test(l)));
  } finally {
    await client.close();
    await server.close();
  }
});

test('a node without the secret is refused and told why', async (t) => {
  for (const alternate of [false, true]) {
    const { server, client, address, serverLog } = await pair(KEY_A, undefined, alternate);
    try {
      const e = await t.throwsAsync(client.request(address, 'ping', {}));
      t.regex(e!.message, /does not share this network's secret/);
      t.true(serverLog.some((l) => /refusing .*does not share this network's secret \(it spoke unencrypted\)/.test(l)));
    } finally {
      await client.close();
      await server.close();
    }
  }
});

test('an open node dialed by a private one: both sides say why', async (t) => {
  const { server, client, address, serverLog, clientLog } = await pair(undefined, KEY_A, true);
  try {
    const e = await t.throwsAsync(client.request(address, 'ping', {}));
    t.regex(e!.message, /does not share this network's secret/);
    t.true(clientLog.some((l) => /does not share this network's secret/.test(l)));
    await waitUntil(() => serverLog.some((l) => /private-network connection; this node has no secret/.test(l)));
    t.pass();
  } finally {
    await client.close();
    await server.close();
  }
});

async function waitUntil(ok: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
