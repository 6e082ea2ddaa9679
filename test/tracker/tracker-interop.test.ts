/** P2P-CI clients and p2pterm peers find and download each other's files through the tracker. */
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { parseRecordLine, parseResponseHead } from '../../src/tracker/p2p-ci-codec.js';
import { TrackerClient } from '../../src/tracker/tracker-client.js';
import { UploadServer, fetchRfc } from '../../src/tracker/upload-server.js';
import { RawClient, request, startTracker, tempDir } from './helpers.js';

/** A minimal upload server as a typical P2P-CI assignment client writes it (bare LF, no Date). */
async function foreignUploadServer(content: string): Promise<{ server: Server; port: number; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((s) => {
    s.once('data', (d: Buffer) => {
      requests.push(d.toString());
      s.end(
        `P2P-CI/1.0 200 OK\nOS: Windows 10\nContent-Length: ${Buffer.byteLength(content)}\nContent-Type: text/plain\n\n${content}`,
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as { port: number }).port, requests };
}

test('a p2pterm peer finds an RFC a P2P-CI client added (by name and title) and downloads it with GET', async (t) => {
  const tr = await startTracker();
  const tmp = tempDir();
  const foreign = await foreignUploadServer('RFC 959 - File Transfer Protocol\n');
  const ci = await RawClient.open(tr.port);
  const peer = new TrackerClient({ address: `127.0.0.1:${tr.port}` });
  try {
    ci.send(
      request('ADD RFC 959 P2P-CI/1.0', { Host: '127.0.0.1', Port: foreign.port, Title: 'File Transfer Protocol' }),
    );
    t.is((await ci.readResponse()).status, 200);
    await peer.connect();
    const [match] = await peer.search('transfer protocol');
    t.is(match?.name, 'rfc959.txt');
    const source = match!.sources.find((s) => s.online)!;
    const out = join(tmp.path, match!.name);
    await fetchRfc(source.host, source.port, match!.rfc!, out, { os: 'p2pterm-test' });
    t.is(readFileSync(out, 'utf8'), 'RFC 959 - File Transfer Protocol\n');
    t.regex(foreign.requests[0] ?? '', /^GET RFC 959 P2P-CI\/1\.0\r\nHost: 127\.0\.0\.1\r\nOS: p2pterm-test\r\n\r\n$/);
  } finally {
    ci.close();
    await peer.close();
    await new Promise<void>((r) => foreign.server.close(() => r()));
    await tr.close();
    tmp.remove();
  }
});

test('a P2P-CI client finds rfcN.txt a p2pterm peer shares (LOOKUP) and downloads it with raw GET', async (t) => {
  const tr = await startTracker();
  const tmp = tempDir();
  writeFileSync(join(tmp.path, 'rfc2549.txt'), 'IP over Avian Carriers with Quality of Service\n');
  const uploads = new UploadServer({ dir: tmp.path, host: '127.0.0.1', port: 0 });
  await uploads.start();
  const peer = new TrackerClient({ address: `127.0.0.1:${tr.port}` });
  const ci = await RawClient.open(tr.port);
  try {
    await peer.connect();
    await peer.register('127.0.0.1', uploads.port);
    await peer.announce([{ name: 'rfc2549.txt', size: 47 }]);
    ci.send(request('LOOKUP RFC 2549 P2P-CI/1.0', { Host: 'ci-client', Port: 40000, Title: '' }));
    const answer = await ci.readResponse();
    const record = parseRecordLine(answer.lines[0] ?? '');
    t.deepEqual(record, { rfc: 2549, title: 'rfc2549.txt', host: '127.0.0.1', port: uploads.port });
    const dl = await RawClient.open(record!.port, record!.host);
    dl.send(`GET RFC 2549 P2P-CI/1.0\r\nHost: ${record!.host}\r\nOS: Windows 10\r\n\r\n`);
    t.true(await dl.waitClosed());
    const head = parseResponseHead(dl.received)!;
    t.is(head.status, 200);
    t.is(dl.received.subarray(head.bodyStart).toString(), 'IP over Avian Carriers with Quality of Service\n');
    t.is(Number(head.headers.get('content-length')), 47);
  } finally {
    ci.close();
    await peer.close();
    await uploads.stop();
    await tr.close();
    tmp.remove();
  }
});
