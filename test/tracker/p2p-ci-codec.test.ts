/** Unit tests of the pure P2P-CI/1.0 codec: every deviation of protocols/p2p-ci.md. */
import test from 'ava';
import {
  P2pCiParser,
  formatGetResponseHead,
  formatServerResponse,
  parseRecordLine,
  parseResponseHead,
  type ParseOutcome,
} from '../../src/tracker/p2p-ci-codec.js';
import { P2pCiParseError } from '../../src/tracker/tracker-errors.js';

function parseAll(text: string | Buffer, parser = new P2pCiParser()): ParseOutcome[] {
  parser.feed(typeof text === 'string' ? Buffer.from(text) : text);
  const out: ParseOutcome[] = [];
  for (let o = parser.next(); o; o = parser.next()) out.push(o);
  return out;
}

function one(text: string | Buffer, parser?: P2pCiParser): ParseOutcome {
  const all = parseAll(text, parser);
  if (all.length !== 1) throw new Error(`expected one outcome, got ${all.length}`);
  return all[0]!;
}

const ADD = { method: 'ADD', rfc: 123, host: 'thishost.csc.ncsu.edu', port: 5678, title: 'A Proferred Official ICP' };

test('canonical ADD with CRLF', (t) => {
  t.deepEqual(
    one(
      'ADD RFC 123 P2P-CI/1.0\r\nHost: thishost.csc.ncsu.edu\r\nPort: 5678\r\nTitle: A Proferred Official ICP\r\n\r\n',
    ),
    ADD,
  );
});

for (const [name, eol] of [
  ['bare LF', '\n'],
  ['\\n\\r', '\n\r'],
  ['CRLF', '\r\n'],
] as const) {
  test(`line endings: ${name}`, (t) => {
    const text = [
      'ADD RFC 123 P2P-CI/1.0',
      'Host: thishost.csc.ncsu.edu',
      'Port: 5678',
      'Title: A Proferred Official ICP',
      '',
      '',
    ].join(eol);
    t.deepEqual(one(text), ADD);
  });
}

test('header names in any case, no space after the colon, padded values, unknown headers', (t) => {
  const text =
    'ADD RFC 123 P2P-CI/1.0\nHOST:thishost.csc.ncsu.edu   \nx-whatever: 1\nport:   5678\0\0\0\ntItLe: A Proferred Official ICP\0\n\n';
  t.deepEqual(one(text), ADD);
});

test('"Post:" is read as "Port:" (the design document transcript)', (t) => {
  t.deepEqual(one('ADD RFC 1 P2P-CI/1.0\r\nHost: Ankur\r\nPost: 51002\r\nTitle: c1\r\n\r\n'), {
    method: 'ADD',
    rfc: 1,
    host: 'Ankur',
    port: 51002,
    title: 'c1',
  });
});

test('Port (and Host) missing on a later request reuse what the connection sent', (t) => {
  const p = new P2pCiParser();
  one('LIST ALL P2P-CI/1.0\r\nHost: me\r\nPort: 4000\r\n\r\n', p);
  t.is(p.knownPort, 4000);
  t.deepEqual(one('ADD RFC 9 P2P-CI/1.0\r\nTitle: nine\r\n\r\n', p), {
    method: 'ADD',
    rfc: 9,
    host: 'me',
    port: 4000,
    title: 'nine',
  });
});

test('Port missing with none known is a 400 for ADD but fine for LOOKUP', (t) => {
  const e = one('ADD RFC 9 P2P-CI/1.0\r\nHost: h\r\nTitle: nine\r\n\r\n');
  t.true(e instanceof P2pCiParseError && e.status === 400 && !e.fatal);
  t.deepEqual(one('LOOKUP RFC 9 P2P-CI/1.0\r\nHost: h\r\n\r\n'), {
    method: 'LOOKUP',
    rfc: 9,
    title: '',
    host: 'h',
    port: undefined,
  });
});

test('Title empty or missing on LOOKUP', (t) => {
  t.like(one('LOOKUP RFC 3 P2P-CI/1.0\r\nHost: h\r\nPort: 1\r\nTitle: \r\n\r\n'), {
    method: 'LOOKUP',
    rfc: 3,
    title: '',
  });
  t.like(one('LOOKUP RFC 3 P2P-CI/1.0\r\nHost: h\r\nPort: 1\r\n\r\n'), { method: 'LOOKUP', rfc: 3, title: '' });
});

test('titles keep their inner spaces', (t) => {
  t.like(one('ADD RFC 2 P2P-CI/1.0\r\nHost: h\r\nPort: 1\r\nTitle:   Many   spaced words  \r\n\r\n'), {
    title: 'Many   spaced words',
  });
});

test('LIST ALL, and the leave methods', (t) => {
  t.deepEqual(one('LIST ALL P2P-CI/1.0\r\nHost: h\r\nPort: 5\r\n\r\n'), { method: 'LIST', host: 'h', port: 5 });
  for (const verb of ['LEAVE', 'QUIT', 'EXIT', 'DISCONNECT', 'quit']) {
    t.deepEqual(one(`${verb} P2P-CI/1.0\r\nHost: h\r\n\r\n`), { method: 'LEAVE', verb: verb.toUpperCase() });
  }
});

test('GET with Host and OS', (t) => {
  t.deepEqual(one('GET RFC 1234 P2P-CI/1.0\r\nHost: somehost.csc.ncsu.edu\r\nOS: Mac OS 10.4.1\r\n\r\n'), {
    method: 'GET',
    rfc: 1234,
    host: 'somehost.csc.ncsu.edu',
    os: 'Mac OS 10.4.1',
  });
});

test('another version is a 505; a missing one, a bad number or method is a 400; none is fatal', (t) => {
  const cases: [string, 400 | 505][] = [
    ['ADD RFC 1 P2P-CI/2.0', 505],
    ['LIST ALL HTTP/1.1', 505],
    ['ADD RFC 1', 400],
    ['ADD RFC x1 P2P-CI/1.0', 400],
    ['ADD RFC 1234567890 P2P-CI/1.0', 400],
    ['ADD 1 P2P-CI/1.0', 400],
    ['PUT RFC 1 P2P-CI/1.0', 400],
    ['LIST SOME P2P-CI/1.0', 400],
  ];
  for (const [line, status] of cases) {
    const e = one(`${line}\r\nHost: h\r\nPort: 1\r\nTitle: t\r\n\r\n`);
    t.true(e instanceof P2pCiParseError, line);
    t.is((e as P2pCiParseError).status, status, line);
    t.false((e as P2pCiParseError).fatal, line);
  }
});

test('hosts with spaces and out-of-range ports are refused', (t) => {
  t.like(one('ADD RFC 1 P2P-CI/1.0\r\nHost: two words\r\nPort: 1\r\n\r\n'), { status: 400 });
  t.like(one('ADD RFC 1 P2P-CI/1.0\r\nHost: h\r\nPort: 70000\r\n\r\n'), { status: 400 });
  t.like(one('ADD RFC 1 P2P-CI/1.0\r\nHost: h\r\nPort: 0\r\n\r\n'), { status: 400 });
});

test('incremental: byte by byte, and several requests in one chunk', (t) => {
  const text =
    'ADD RFC 1 P2P-CI/1.0\r\nHost: h\r\nPort: 9\r\nTitle: a\r\n\r\nLOOKUP RFC 1 P2P-CI/1.0\r\nHost: h\r\nPort: 9\r\n\r\n';
  const p = new P2pCiParser();
  const got: ParseOutcome[] = [];
  for (const b of Buffer.from(text)) {
    p.feed(Buffer.from([b]));
    for (let o = p.next(); o; o = p.next()) got.push(o);
  }
  t.deepEqual(
    got.map((o) => (o as { method: string }).method),
    ['ADD', 'LOOKUP'],
  );
  t.deepEqual(parseAll(text).length, 2);
});

test('NUL padding and stray line ends between requests are skipped', (t) => {
  const req = 'LIST ALL P2P-CI/1.0\r\nHost: h\r\nPort: 9\r\n\r\n';
  const padded = Buffer.concat([Buffer.from(req), Buffer.alloc(512), Buffer.from('\r\n\r\n' + req)]);
  t.is(parseAll(padded).length, 2);
});

test('no final blank line: nothing until tryCompleteIdle, which completes at a line end only', (t) => {
  const p = new P2pCiParser();
  p.feed(Buffer.from('LOOKUP RFC 4 P2P-CI/1.0\r\nHost: h\r\nPort: 9\r\nTitle: fo'));
  t.is(p.next(), null);
  t.is(p.tryCompleteIdle(), null, 'a half line is not a complete request');
  p.feed(Buffer.from('ur\r\n'));
  t.is(p.next(), null);
  t.like(p.tryCompleteIdle(), { method: 'LOOKUP', rfc: 4, title: 'four' });
  t.false(p.hasPending);
  p.feed(Buffer.from('\r\n')); // the blank line arriving late
  t.is(p.next(), null);
  t.is(p.tryCompleteIdle(), null);
});

test('idle completion waits for a request that could still grow; forceComplete takes it as is', (t) => {
  const p = new P2pCiParser();
  p.feed(Buffer.from('ADD RFC 4 P2P-CI/1.0\r\nHost: h\r\nPort: 9\r\n'));
  t.is(p.tryCompleteIdle(), null, 'ADD without Title may still get one');
  p.feed(Buffer.from('Title: four\r\n'));
  t.like(p.tryCompleteIdle(), { method: 'ADD', title: 'four' });
  p.feed(Buffer.from('ADD RFC 5 P2P-CI/1.0\r\nHost: h\r\n'));
  t.is(p.tryCompleteIdle(), null);
  t.like(p.forceComplete(5000), { method: 'ADD', rfc: 5, port: 9, title: 'rfc5' }, 'known port reused, default title');
  const q = new P2pCiParser();
  q.feed(Buffer.from('LOOKUP RFC 1 P2P-CI/1.0\r\nHost: h\r\n'));
  t.is(q.tryCompleteIdle(), null, 'no Port yet and none known');
  t.like(q.forceComplete(5000), { method: 'LOOKUP', host: 'h', port: undefined });
  q.feed(Buffer.from('PUT RFC 1 P2P-CI/1.0\r\n'));
  t.like(q.tryCompleteIdle(), { status: 400, fatal: false }, 'no header can fix a bad request line');
  q.feed(Buffer.from('LIST ALL P2P-CI/1.0\r\nHo'));
  t.is(q.tryCompleteIdle(), null);
  t.like(q.forceComplete(5000), { status: 400, fatal: true }, 'a half-sent line is fatal');
});

test('forceComplete takes a last header line without its line end when the request is then valid', (t) => {
  const p = new P2pCiParser();
  p.feed(Buffer.from('LOOKUP RFC 2345 P2P-CI/1.0\r\nHost: peer-b.example\r\nPort: 6000\r\nTitle: Domain Names'));
  t.is(p.tryCompleteIdle(), null, 'the last line may still grow');
  t.deepEqual(p.forceComplete(5000), {
    method: 'LOOKUP',
    rfc: 2345,
    host: 'peer-b.example',
    port: 6000,
    title: 'Domain Names',
  });
  t.false(p.hasPending);
  p.feed(Buffer.from('ADD RFC 7 P2P-CI/1.0\nHost: h\nTitle: seven\0\0'));
  t.like(
    p.forceComplete(5000),
    { method: 'ADD', rfc: 7, host: 'h', port: 6000, title: 'seven' },
    'NUL padding, known port',
  );
  for (const half of [
    'LOOKUP RFC 1 P2P-CI/1.0',
    'LOOKUP RFC 1 P2P-CI/1.0\r\nHost: h\r\nTit',
    'LIST ALL P2P-CI/1.0\r\nTitle',
  ]) {
    const q = new P2pCiParser();
    q.feed(Buffer.from(half));
    t.like(q.forceComplete(5000), { status: 400, fatal: true }, JSON.stringify(half));
  }
  const noPort = new P2pCiParser();
  noPort.feed(Buffer.from('ADD RFC 1 P2P-CI/1.0\r\nHost: slo'));
  t.like(
    noPort.forceComplete(5000),
    { status: 400, fatal: true },
    'an invalid request is not completed by a half line',
  );
});

test('idle completion with \\n\\r line ends (a trailing \\r is pending)', (t) => {
  const p = new P2pCiParser();
  p.feed(Buffer.from('LIST ALL P2P-CI/1.0\n\rHost: h\n\rPort: 2\n\r'));
  t.is(p.next(), null);
  t.deepEqual(p.tryCompleteIdle(), { method: 'LIST', host: 'h', port: 2 });
});

test('limits: a too-long line, too many headers or a too-big request is a fatal 400', (t) => {
  const longLine = new P2pCiParser();
  longLine.feed(Buffer.alloc(9000, 0x41)); // no line end at all
  t.like(longLine.next(), { status: 400, fatal: true });
  const manyHeaders =
    'LIST ALL P2P-CI/1.0\r\n' + Array.from({ length: 40 }, (_, i) => `X-${i}: v\r\n`).join('') + '\r\n';
  t.like(one(manyHeaders), { status: 400, fatal: true });
  const big = new P2pCiParser({ maxLineBytes: 8192, maxHeaders: 32, maxRequestBytes: 1024 });
  t.like(one('LIST ALL P2P-CI/1.0\r\n' + `X: ${'v'.repeat(600)}\r\n`.repeat(2) + '\r\n', big), {
    status: 400,
    fatal: true,
  });
  const hugeWithLf = new P2pCiParser();
  hugeWithLf.feed(Buffer.from(`ADD RFC 1 P2P-CI/1.0\r\nTitle: ${'z'.repeat(9000)}\r\n\r\n`));
  t.like(hugeWithLf.next(), { status: 400, fatal: true });
  t.false(hugeWithLf.hasPending, 'the buffer is dropped after a fatal error');
});

test('server response format: status line, CRLF, records, final CRLF; errors carry no records', (t) => {
  const records = [
    { rfc: 1, title: 'c1', host: 'Ankur', port: 51002 },
    { rfc: 2, title: 'evil\r\nRFC 9 forged', host: 'h', port: 1 },
  ];
  t.is(
    formatServerResponse(200, records),
    'P2P-CI/1.0 200 OK\r\n\r\nRFC 1 c1 Ankur 51002\r\nRFC 2 evil  RFC 9 forged h 1\r\n\r\n',
  );
  t.is(formatServerResponse(404, records), 'P2P-CI/1.0 404 Not Found\r\n\r\n\r\n');
  t.is(formatServerResponse(400), 'P2P-CI/1.0 400 Bad Request\r\n\r\n\r\n');
  t.is(formatServerResponse(505), 'P2P-CI/1.0 505 P2P-CI Version Not Supported\r\n\r\n\r\n');
  t.deepEqual(parseRecordLine('RFC 12 A long title 10.0.0.1 5000'), {
    rfc: 12,
    title: 'A long title',
    host: '10.0.0.1',
    port: 5000,
  });
});

test('GET response head has the protocol headers and parses back', (t) => {
  const date = new Date(Date.UTC(2006, 3, 2, 15, 50, 0));
  const head = formatGetResponseHead({ status: 200, os: 'Linux 6.1', date, lastModified: date, length: 5 });
  t.is(
    head,
    'P2P-CI/1.0 200 OK\r\nDate: Sun, 02 Apr 2006 15:50:00 GMT\r\nOS: Linux 6.1\r\nLast-Modified: Sun, 02 Apr 2006 15:50:00 GMT\r\n' +
      'Content-Length: 5\r\nContent-Type: text/plain\r\n\r\n',
  );
  const parsed = parseResponseHead(Buffer.from(head + 'hello'));
  t.is(parsed?.status, 200);
  t.is(parsed?.headers.get('content-length'), '5');
  t.is(
    Buffer.from(head + 'hello')
      .subarray(parsed!.bodyStart)
      .toString(),
    'hello',
  );
  t.is(parseResponseHead(Buffer.from('P2P-CI/1.0 200 OK\r\nDate: x\r\n')), null);
});
