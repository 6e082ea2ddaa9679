/**
 * The plain baseline of the transfer benchmark: a sender process streams the file
 * (createReadStream → socket), this process receives, hashes, writes and fsyncs, on one thread.
 * Two processes, like p2pterm's; the same bytes and the same fsync at the end.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { connect } from 'node:net';

const SENDER = `
const net = require('node:net'), fs = require('node:fs');
const server = net.createServer((c) => fs.createReadStream(process.argv[1]).pipe(c));
server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;

/** Copies `src` to `out` through a socket from another process; seconds from connect to fsync done. */
export async function plainPipeline(src: string, out: string): Promise<{ seconds: number; sha256: string }> {
  const sender = spawn(process.execPath, ['-e', SENDER, src], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve) => sender.stdout!.once('data', (d) => resolve(Number(String(d)))));
    const t = performance.now();
    const hash = createHash('sha256');
    const fd = openSync(out, 'w');
    await new Promise<void>((resolve, reject) => {
      const sock = connect({ host: '127.0.0.1', port });
      sock.on('data', (d: Buffer) => {
        hash.update(d);
        writeSync(fd, d);
      });
      sock.on('end', resolve);
      sock.on('error', reject);
    });
    fsyncSync(fd);
    closeSync(fd);
    return { seconds: (performance.now() - t) / 1000, sha256: hash.digest('hex') };
  } finally {
    sender.kill();
  }
}
