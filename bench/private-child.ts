/**
 * One side of the private-network benchmark in a process of its own, as a real deployment
 * runs it (so the serving side's encryption and the downloading side's decryption each have
 * their own thread, as the plain baseline's copies do):
 *   serve [KEY_HEX]  a transport answering file_chunk with 1 MiB (plain, or PSK TLS under the
 *                    key); prints {"address"} once it listens
 *   flood ADDRESS [BITS]
 *                    pings ADDRESS as fast as it can (64 at once, as a BITS-bit chord peer,
 *                    default 160) and keeps 200 more sockets each dripping one frame a byte
 *                    every 100 ms (a slow sender the server must not let hold it up; a drip
 *                    the server closes is opened again); prints {"flooding"} once started
 * Each "cpu" line on stdin is answered with {"cpuMs"}, this process's user + system time, and
 * each "stats" line with {"sent","answered","busy","failed","dripsOpened"} so far (the flooder's
 * requests, how they ended, and the drip sockets opened in all); the end of stdin stops it.
 */
import { connect } from 'node:net';
import * as readline from 'node:readline';
import { PROTOCOL_VERSION } from '../dist/core/constants.js';
import { hashId } from '../dist/core/ring-math.js';
import { encodeFrame } from '../dist/wire/codec.js';
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

/** What the flooder's requests came to so far. */
const stats = { sent: 0, answered: 0, busy: 0, failed: 0, dripsOpened: 0 };

/** A drip's frame: a length word announcing 64 KiB, of which one byte comes every 100 ms. */
const DRIP_FRAME = Buffer.alloc(4 + 64 * 1024);
DRIP_FRAME.writeUInt32BE(64 * 1024, 0);
/** A drip says hello at once (as a client, so it is not checked), so it is not closed for lacking one. */
const dripHello = (bits: number) =>
  encodeFrame({
    kind: 'hello',
    body: { version: PROTOCOL_VERSION, id: '3', address: null, bits, routing: 'chord' },
  });

function flood(address: string, bits: number): () => Promise<void> {
  let running = true;
  const flooder = new TcpTransport({ identity: () => ({ id: '2', bits, routing: 'chord' }), timeoutMs: 10_000 });
  const pump = async () => {
    while (running) {
      stats.sent++;
      try {
        await flooder.request(address, 'ping', {});
        stats.answered++;
      } catch (e) {
        // Refusals are what the flood is for: count them, back off a moment, send the next one.
        if ((e as { code?: string }).code === 'BUSY') stats.busy++;
        else stats.failed++;
        await sleep(1);
      }
    }
  };
  for (let i = 0; i < Number(process.env.FLOOD_PUMPS ?? 64); i++) void pump();
  const cut = address.lastIndexOf(':');
  const [host, port] = [address.slice(0, cut), Number(address.slice(cut + 1))];
  const hello = dripHello(bits);
  const drip = () => {
    stats.dripsOpened++;
    const s = connect({ host, port });
    s.write(hello);
    s.on('error', () => undefined); // the server may close a drip: that is what it should do
    return { socket: s, sent: 0 };
  };
  const drips = Array.from({ length: Number(process.env.FLOOD_DRIPS ?? 200) }, drip);
  const timer = setInterval(() => {
    for (let i = 0; i < drips.length; i++) {
      if (drips[i]!.socket.destroyed || drips[i]!.sent >= DRIP_FRAME.length) drips[i] = drip();
      const d = drips[i]!;
      d.socket.write(DRIP_FRAME.subarray(d.sent, ++d.sent));
    }
  }, 100);
  say({ flooding: address });
  return async () => {
    running = false;
    clearInterval(timer);
    for (const d of drips) d.socket.destroy();
    await flooder.close();
  };
}

function say(o: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(o)}\n`);
}

async function main(): Promise<void> {
  const [mode, arg, bits] = process.argv.slice(2);
  const stop = mode === 'serve' ? await serve(arg) : mode === 'flood' && arg ? flood(arg, Number(bits ?? 160)) : null;
  if (!stop) throw new Error(`usage: private-child.ts serve [KEY_HEX] | flood ADDRESS [BITS] (got ${mode})`);
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (l) => {
    if (l.trim() === 'stats') return say({ ...stats });
    if (l.trim() !== 'cpu') return;
    const u = process.cpuUsage();
    say({ cpuMs: (u.user + u.system) / 1000 });
  });
  lines.on('close', () => void stop().then(() => process.exit(0)));
}

await main();
