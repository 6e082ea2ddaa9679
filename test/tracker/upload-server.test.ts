/** The P2P-CI upload server (raw GET bytes) and the fetchRfc download client. */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parseResponseHead } from '../../src/tracker/p2p-ci-codec.js';
import { UploadServer, fetchRfc } from '../../src/tracker/upload-server.js';
import { RawClient, tempDir } from './helpers.js';

interface Fixture {
  readonly dir: string;
  readonly out: string;
  readonly server: UploadServer;
}

async function withUploads(fn: (f: Fixture) => Promise<void>): Promise<void> {
  const tmp = tempDir('p2pterm-upload-');
  const dir = join(tmp.path, 'shared');
  const out = join(tmp.path, 'out');
  mkdirSync(dir);
  mkdirSync(out);
  writeFileSync(join(tmp.path, 'secret.txt'), 'top secret');
  const server = new UploadServer({ dir, host: '127.0.0.1', port: 0, os: 'TestOS 1.0' });
  await server.start();
  try {
    await fn({ dir, out, server });
  } finally {
    await server.stop();
    tmp.remove();
  }
}

/** Sends raw bytes, reads until the server closes, returns head and body. */
async function rawGet(
  port: number,
  bytes: string,
): Promise<{ status: number; headers: ReadonlyMap<string, string>; body: Buffer; raw: Buffer }> {
  const c = await RawClient.open(port);
  try {
    c.send(bytes);
    if (!(await c.waitClosed(3000))) throw new Error('server did not close the connection');
    const raw = c.received;
    const head = parseResponseHead(raw);
    if (!head) throw new Error(`no complete head in ${JSON.stringify(raw.toString('latin1').slice(0, 200))}`);
    return { status: head.status, headers: head.headers, body: raw.subarray(head.bodyStart), raw };
  } finally {
    c.close();
  }
}

test('GET RFC n answers 200 with the protocol headers, exact Content-Length, body, then closes', async (t) => {
  await withUploads(async ({ dir, server }) => {
    const content = 'Request for Comments: 1234\nSome text.\n';
    writeFileSync(join(dir, 'rfc1234.txt'), content);
    const r = await rawGet(
      server.port,
      'GET RFC 1234 P2P-CI/1.0\r\nHost: somehost.csc.ncsu.edu\r\nOS: Mac OS 10.4.1\r\n\r\n',
    );
    t.is(r.status, 200);
    t.true(r.raw.toString('latin1').startsWith('P2P-CI/1.0 200 OK\r\n'));
    t.is(r.headers.get('os'), 'TestOS 1.0');
    t.is(r.headers.get('content-type'), 'text/plain');
    t.is(r.headers.get('content-length'), String(Buffer.byteLength(content)));
    t.regex(r.headers.get('date') ?? '', /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    t.regex(r.headers.get('last-modified') ?? '', / GMT$/);
    t.is(r.body.toString(), content);
  });
});

test('GET deviations: bare LF, lowercase headers, no final blank line, upper-case file name', async (t) => {
  await withUploads(async ({ dir, server }) => {
    writeFileSync(join(dir, 'RFC7.TXT'), 'seven');
    const r = await rawGet(server.port, 'get rfc 7 P2P-CI/1.0\nhost:me\nos:linux\n');
    t.is(r.status, 200);
    t.is(r.body.toString(), 'seven');
  });
});

test('404 for a missing RFC, 505 for another version, 400 for malformed requests', async (t) => {
  await withUploads(async ({ server }) => {
    const missing = await rawGet(server.port, 'GET RFC 99 P2P-CI/1.0\r\nHost: h\r\nOS: o\r\n\r\n');
    t.is(missing.status, 404);
    t.is(missing.body.length, 0);
    t.is((await rawGet(server.port, 'GET RFC 1 P2P-CI/1.1\r\nHost: h\r\n\r\n')).status, 505);
    t.is((await rawGet(server.port, 'GET RFC ../../secret P2P-CI/1.0\r\nHost: h\r\n\r\n')).status, 400);
    t.is((await rawGet(server.port, 'ADD RFC 1 P2P-CI/1.0\r\nHost: h\r\nPort: 1\r\n\r\n')).status, 400);
    t.is((await rawGet(server.port, 'hello\r\n\r\n')).status, 400);
  });
});

test('never serves a path outside the shared directory (symlinks out, directories)', async (t) => {
  await withUploads(async ({ dir, server }) => {
    symlinkSync(join(dir, '..', 'secret.txt'), join(dir, 'rfc5.txt'));
    mkdirSync(join(dir, 'rfc6.txt'));
    t.is((await rawGet(server.port, 'GET RFC 5 P2P-CI/1.0\r\nHost: h\r\n\r\n')).status, 404);
    t.is((await rawGet(server.port, 'GET RFC 6 P2P-CI/1.0\r\nHost: h\r\n\r\n')).status, 404);
  });
});

test('fetchRfc downloads a large file through .part and renames it', async (t) => {
  await withUploads(async ({ dir, out, server }) => {
    const content = randomBytes(3 * 1024 * 1024 + 17);
    writeFileSync(join(dir, 'rfc42.txt'), content);
    const target = join(out, 'rfc42.txt');
    const got = await fetchRfc('127.0.0.1', server.port, 42, target);
    t.is(got.bytes, content.length);
    t.true(readFileSync(target).equals(content));
    t.false(existsSync(`${target}.part`));
    t.true(got.lastModified instanceof Date);
  });
});

test('fetchRfc rejects with NOT_FOUND on 404 and leaves no file behind', async (t) => {
  await withUploads(async ({ out, server }) => {
    const target = join(out, 'nothing.txt');
    await t.throwsAsync(fetchRfc('127.0.0.1', server.port, 1, target), { code: 'NOT_FOUND' } as never);
    t.false(existsSync(target));
    t.false(existsSync(`${target}.part`));
  });
});

test('fetchRfc honours Content-Length and detects a short body', async (t) => {
  const tmp = tempDir('p2pterm-fetch-');
  const liar = createServer((s) => {
    s.once('data', () => {
      const which = liarMode;
      if (which === 'extra') s.end('P2P-CI/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabcTRAILING');
      else s.end('P2P-CI/1.0 200 OK\r\nContent-Length: 10\r\n\r\nabc');
    });
  });
  let liarMode: 'extra' | 'short' = 'extra';
  await new Promise<void>((r) => liar.listen(0, '127.0.0.1', () => r()));
  const port = (liar.address() as { port: number }).port;
  try {
    const target = join(tmp.path, 'a.txt');
    t.is((await fetchRfc('127.0.0.1', port, 1, target)).bytes, 3);
    t.is(readFileSync(target, 'utf8'), 'abc');
    liarMode = 'short';
    const short = join(tmp.path, 'b.txt');
    await t.throwsAsync(fetchRfc('127.0.0.1', port, 1, short), { message: /closed after 3 of 10 bytes/ });
    t.false(existsSync(short));
    t.false(existsSync(`${short}.part`));
  } finally {
    await new Promise<void>((r) => liar.close(() => r()));
    tmp.remove();
  }
});
