/** The tracker speaking raw P2P-CI/1.0 bytes over real TCP, deviations included. */
import test from 'ava';
import { RawClient, request, sleep, startTracker, waitFor, type StartedTracker } from './helpers.js';

async function withTracker(fn: (t: StartedTracker) => Promise<void>): Promise<void> {
  const tracker = await startTracker();
  try {
    await fn(tracker);
  } finally {
    await tracker.close();
  }
}

const add = (rfc: number, host: string, port: number, title: string) =>
  request(`ADD RFC ${rfc} P2P-CI/1.0`, { Host: host, Port: port, Title: title });
const lookup = (rfc: number, host: string, port: number) =>
  request(`LOOKUP RFC ${rfc} P2P-CI/1.0`, { Host: host, Port: port, Title: '' });

test('ADD echoes the record with status line, blank line and final blank line', async (t) => {
  await withTracker(async ({ port }) => {
    const c = await RawClient.open(port);
    c.send(add(123, 'Ankur', 51032, 'A Proferred Official ICP'));
    const a = await c.readResponse();
    t.is(a.raw, 'P2P-CI/1.0 200 OK\r\n\r\nRFC 123 A Proferred Official ICP Ankur 51032\r\n\r\n');
    c.close();
  });
});

test('LOOKUP returns one line per online peer that has the RFC, 404 when none', async (t) => {
  await withTracker(async ({ port }) => {
    const a = await RawClient.open(port);
    const b = await RawClient.open(port);
    a.send(add(7, 'host-a', 5001, 'Seven'));
    await a.readResponse();
    b.send(add(7, 'host-b', 5002, 'Seven too'));
    await b.readResponse();
    b.send(add(8, 'host-b', 5002, 'Eight'));
    await b.readResponse();
    a.send(lookup(7, 'host-a', 5001));
    const hit = await a.readResponse();
    t.is(hit.status, 200);
    t.deepEqual(hit.lines.sort(), ['RFC 7 Seven host-a 5001', 'RFC 7 Seven too host-b 5002']);
    a.send(lookup(99, 'host-a', 5001));
    const miss = await a.readResponse();
    t.is(miss.raw, 'P2P-CI/1.0 404 Not Found\r\n\r\n\r\n');
    a.close();
    b.close();
  });
});

test('LIST ALL works as the first request and lists every record', async (t) => {
  await withTracker(async ({ port }) => {
    const c = await RawClient.open(port);
    c.send(request('LIST ALL P2P-CI/1.0', { Host: 'h1', Port: 6000 }));
    const empty = await c.readResponse();
    t.is(empty.status, 200);
    t.deepEqual(empty.lines, []);
    c.send(add(1, 'h1', 6000, 'c1'));
    await c.readResponse();
    c.send(add(2, 'h1', 6000, 'c2'));
    await c.readResponse();
    c.send(request('LIST ALL P2P-CI/1.0', { Host: 'h1', Port: 6000 }));
    t.deepEqual((await c.readResponse()).lines, ['RFC 1 c1 h1 6000', 'RFC 2 c2 h1 6000']);
    c.close();
  });
});

test('deviations: Post:, lowercase and upper-case headers, no space after colon, NUL padding, bare LF', async (t) => {
  await withTracker(async ({ port }) => {
    const c = await RawClient.open(port);
    // The design document's own transcript: "Post:" instead of "Port:".
    c.send('ADD RFC 1 P2P-CI/1.0\r\nHost: Ankur\r\nPost: 51002\r\nTitle: c1\r\n\r\n');
    t.deepEqual((await c.readResponse()).lines, ['RFC 1 c1 Ankur 51002']);
    c.send('add rfc 2 P2P-CI/1.0\nhost:Ankur\nPORT:51002  \nX-Client: mine\ntitle:   c two\0\0\0\n\n');
    t.deepEqual((await c.readResponse()).lines, ['RFC 2 c two Ankur 51002']);
    // Python clients that send fixed-size, NUL-padded buffers.
    c.send(Buffer.concat([Buffer.from(lookup(2, 'Ankur', 51002)), Buffer.alloc(200)]));
    t.deepEqual((await c.readResponse()).lines, ['RFC 2 c two Ankur 51002']);
    c.send('LOOKUP RFC 1 P2P-CI/1.0\n\rHost: Ankur\n\rPort: 51002\n\r\n\r');
    t.deepEqual((await c.readResponse()).lines, ['RFC 1 c1 Ankur 51002']);
    c.close();
  });
});

test('Port missing on a later request reuses the port the connection sent before', async (t) => {
  await withTracker(async ({ port }) => {
    const c = await RawClient.open(port);
    c.send(add(10, 'me', 7000, 'ten'));
    await c.readResponse();
    c.send('ADD RFC 11 P2P-CI/1.0\r\nHost: me\r\nTitle: eleven\r\n\r\n');
    t.deepEqual((await c.readResponse()).lines, ['RFC 11 eleven me 7000']);
    c.close();
  });
});

test('a request without the final blank line is answered after a short quiet time', async (t) => {
  await withTracker(async ({ port }) => {
    const c = await RawClient.open(port);
    const started = Date.now();
    c.send('ADD RFC 5 P2P-CI/1.0\r\nHost: quiet\r\nPort: 7100\r\nTitle: five\r\n');
    t.deepEqual((await c.readResponse(2000)).lines, ['RFC 5 five quiet 7100']);
    t.true(Date.now() - started >= 80, 'answered only after the client went quiet');
    // The blank line arriving late is harmless; the next request still works.
    c.send('\r\n');
    c.send(lookup(5, 'quiet', 7100));
    t.is((await c.readResponse()).status, 200);
    c.close();
  });
});

test('a request without blank line that could still grow is answered after the stall time', async (t) => {
  // The stall time is long next to the quiet that completes a request, so that a loaded machine
  // does not blur the two.
  const tracker = await startTracker({ stallMs: 3000 });
  const c = await RawClient.open(tracker.port);
  try {
    const started = Date.now();
    c.send('ADD RFC 6 P2P-CI/1.0\r\nHost: slow\r\nPort: 7200\r\n');
    await sleep(200);
    c.send('Title: six\r\n'); // a Title trickling in later still belongs to the request
    t.deepEqual((await c.readResponse(5000)).lines, ['RFC 6 six slow 7200']);
    t.true(Date.now() - started < 2500, 'answered on quiet once it stood alone');
    c.send('ADD RFC 7 P2P-CI/1.0\r\nHost: slow\r\n');
    const t1 = Date.now();
    t.deepEqual((await c.readResponse(6000)).lines, ['RFC 7 rfc7 slow 7200']);
    t.true(Date.now() - t1 >= 2950, 'no Title: waited for the stall time');
  } finally {
    c.close();
    await tracker.close();
  }
});

test('505 for another version, 400 for malformed requests; the connection lives on', async (t) => {
  await withTracker(async ({ port }) => {
    const c = await RawClient.open(port);
    c.send(request('ADD RFC 1 P2P-CI/2.0', { Host: 'h', Port: 1, Title: 't' }));
    t.is((await c.readResponse()).raw, 'P2P-CI/1.0 505 P2P-CI Version Not Supported\r\n\r\n\r\n');
    c.send(request('ADD RFC one P2P-CI/1.0', { Host: 'h', Port: 1, Title: 't' }));
    t.is((await c.readResponse()).status, 400);
    c.send(request('FETCH RFC 1 P2P-CI/1.0', { Host: 'h', Port: 1 }));
    t.is((await c.readResponse()).status, 400);
    c.send(request('ADD RFC 1 P2P-CI/1.0', { Host: 'h', Port: 'seventy', Title: 't' }));
    t.is((await c.readResponse()).status, 400);
    c.send(request('ADD RFC 1 P2P-CI/1.0', { Title: 'no host' }));
    t.is((await c.readResponse()).status, 400);
    c.send(add(1, 'h', 1, 't'));
    t.is((await c.readResponse()).status, 200);
    t.false(c.closed);
    c.close();
  });
});

for (const verb of ['LEAVE', 'QUIT', 'EXIT', 'DISCONNECT']) {
  test(`${verb} takes the peer offline: its records are kept but not offered`, async (t) => {
    await withTracker(async ({ port, server }) => {
      const leaver = await RawClient.open(port);
      const asker = await RawClient.open(port);
      leaver.send(add(42, 'leaver', 8000, 'answer'));
      await leaver.readResponse();
      leaver.send(`${verb} P2P-CI/1.0\r\nHost: leaver\r\nPort: 8000\r\n\r\n`);
      t.is((await leaver.readResponse()).status, 200);
      t.true(await leaver.waitClosed());
      asker.send(lookup(42, 'asker', 8001));
      t.is((await asker.readResponse()).status, 404);
      t.is(server.index?.search('rfc42').filter((r) => !r.online).length, 1, 'record kept, offline');
      asker.close();
    });
  });
}

test('a closed connection means the peer left; coming back under the same address offers it again', async (t) => {
  await withTracker(async ({ port, server }) => {
    const p = await RawClient.open(port);
    const asker = await RawClient.open(port);
    p.send(add(3, 'returner', 9000, 'three'));
    await p.readResponse();
    p.close();
    t.true(await waitFor(() => server.stats().onlinePeers === 0), 'the closed peer went offline');
    asker.send(lookup(3, 'asker', 9001));
    t.is((await asker.readResponse()).status, 404);
    asker.send(request('LIST ALL P2P-CI/1.0', { Host: 'asker', Port: 9001 }));
    t.deepEqual((await asker.readResponse()).lines, []);
    const back = await RawClient.open(port);
    back.send(request('LIST ALL P2P-CI/1.0', { Host: 'returner', Port: 9000 }));
    t.deepEqual((await back.readResponse()).lines, ['RFC 3 three returner 9000']);
    asker.send(lookup(3, 'asker', 9001));
    t.deepEqual((await asker.readResponse()).lines, ['RFC 3 three returner 9000']);
    back.close();
    asker.close();
  });
});

test('pipelined requests sent byte by byte are answered in order', async (t) => {
  await withTracker(async ({ port }) => {
    const c = await RawClient.open(port);
    const bytes = Buffer.from(add(1, 'p', 1000, 'one') + add(2, 'p', 1000, 'two') + lookup(1, 'p', 1000));
    for (const b of bytes) {
      c.send(Buffer.from([b]));
      if (b === 0x0a) await sleep(1);
    }
    t.deepEqual((await c.readResponse()).lines, ['RFC 1 one p 1000']);
    t.deepEqual((await c.readResponse()).lines, ['RFC 2 two p 1000']);
    t.deepEqual((await c.readResponse()).lines, ['RFC 1 one p 1000']);
    c.close();
  });
});

test('GET sent to the index server is a 400, not a crash', async (t) => {
  await withTracker(async ({ port }) => {
    const c = await RawClient.open(port);
    c.send(request('GET RFC 1 P2P-CI/1.0', { Host: 'x', OS: 'Linux' }));
    t.is((await c.readResponse()).status, 400);
    c.close();
  });
});

test('a last header line without its line end is answered once the client has gone quiet', async (t) => {
  const tracker = await startTracker({ stallMs: 400 });
  const owner = await RawClient.open(tracker.port);
  const asker = await RawClient.open(tracker.port);
  try {
    owner.send(add(2345, 'peer-a.example', 5000, 'Domain Names'));
    await owner.readResponse();
    const started = Date.now();
    asker.send('LOOKUP RFC 2345 P2P-CI/1.0\r\nHost: peer-b.example\r\nPort: 6000\r\nTitle: Domain Names');
    const hit = await asker.readResponse(3000);
    t.is(hit.status, 200);
    t.deepEqual(hit.lines, ['RFC 2345 Domain Names peer-a.example 5000']);
    t.true(Date.now() - started >= 300, 'not before the client went quiet for the stall time');
    t.false(asker.closed, 'the connection lives on');
    asker.send('ADD RFC 2346 P2P-CI/1.0\r\nHost: peer-b.example\r\nPort: 6000\r\nTitle: Mail Routing');
    t.deepEqual((await asker.readResponse(3000)).lines, ['RFC 2346 Mail Routing peer-b.example 6000']);
    asker.send(lookup(2346, 'peer-b.example', 6000));
    t.deepEqual((await asker.readResponse()).lines, ['RFC 2346 Mail Routing peer-b.example 6000']);
  } finally {
    owner.close();
    asker.close();
    await tracker.close();
  }
});

for (const [what, tail] of [
  ['a half-sent request line', 'LOOKUP RFC 2345 P2P-CI/1.0'],
  ['a half-sent header name', 'LOOKUP RFC 2345 P2P-CI/1.0\r\nHost: peer-b.example\r\nPort: 6000\r\nTit'],
  ['a header name without its colon', 'LOOKUP RFC 2345 P2P-CI/1.0\r\nHost: peer-b.example\r\nPort: 6000\r\nTitle'],
]) {
  test(`${what} still gets 400 and a close after the stall time`, async (t) => {
    const tracker = await startTracker({ stallMs: 300 });
    const c = await RawClient.open(tracker.port);
    try {
      c.send(tail);
      t.is((await c.readResponse(3000)).status, 400);
      t.true(await c.waitClosed());
    } finally {
      c.close();
      await tracker.close();
    }
  });
}
