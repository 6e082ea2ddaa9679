/**
 * One side of the private-network benchmark in a process of its own, as a real deployment
 * runs it (so the serving side's encryption and the downloading side's decryption each have
 * their own thread, as the plain baseline's copies do):
 *   serve [KEY_HEX]  a transport answering file_chunk with 1 MiB (plain, or PSK TLS under the
 *                    key); prints {"address"} once it listens
 *   flood ADDRESS    pings ADDRESS as fast as it can (64 at once) and drips one byte every
 *                    100 ms on 200 more sockets; prints {"flooding"} once started
 * Each "cpu" line on stdin is answered with {"cpuMs"}, this process's user + system time;
 * the end of stdin stops it.
 */
import { connect, type Socket } from 'node:net';
import * as readline from 'node:readline';
import { hashId } from '../dist/core/ring-math.js';
import { TcpTransport } from '../dist/transport/tcp-transport.js';
import type { RequestHandler } from '../dist/transport/transport.js';

const CHUNK = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function serve(keyHex: string | undefined): Promise<() => Promise<void>> {
  let id = '0';
  const server = new TcpTransport({
    identity: () => ({ id, bits: 160, routing: 'chord' }),
    networkKey: keyHex ? Buffer.from(keyHex, 'hex') : undefined,
  });
  const data = Buffer.alloc(CHUNK, 7);
  const handler: RequestHandler = async (type) => (type === 'file_chunk' ? { data } : { id }) as never;
  const address = await server.listen(handler);
  id = hashId(address, 160).toString(16);
  say({ address });
  return () => server.close();
}

function flood(address: string): () => Promise<void> {
  let running = true;
  const flooder = new TcpTransport({ identity: () => ({ id: '2', bits: 160, routing: 'chord' }), timeoutMs: 10_000 });
  const pump = async () => {
    // Refusals are what the flood is for: back off a moment and send the next one.
    while (running) await flooder.request(address, 'ping', {}).catch(() => sleep(1));
  };
  for (let i = 0; i < 64; i++) void pump();
  const cut = address.lastIndexOf(':');
  const [host, port] = [address.slice(0, cut), Number(address.slice(cut + 1))];
  const drips: Socket[] = [];
  for (let i = 0; i < 200; i++) {
    const s = connect({ host, port });
    s.on('error', () => undefined); // the server may close a drip: that is what it should do
    drips.push(s);
  }
  const timer = setInterval(() => {
    for (const s of drips) if (!s.destroyed) s.write(Buffer.from([0]));
  }, 100);
  say({ flooding: address });
  return async () => {
    running = false;
    clearInterval(timer);
    for (const s of drips) s.destroy();
    await flooder.close();
  };
}

function say(o: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(o)}\n`);
}

async function main(): Promise<void> {
  const [mode, arg] = process.argv.slice(2);
  const stop = mode === 'serve' ? await serve(arg) : mode === 'flood' && arg ? flood(arg) : null;
  if (!stop) throw new Error(`usage: private-child.ts serve [KEY_HEX] | flood ADDRESS (got ${mode})`);
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (l) => {
    if (l.trim() !== 'cpu') return;
    const u = process.cpuUsage();
    say({ cpuMs: (u.user + u.system) / 1000 });
  });
  lines.on('close', () => void stop().then(() => process.exit(0)));
}

await main();
