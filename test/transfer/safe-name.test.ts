import { join, resolve } from 'node:path';
import test from 'ava';
import { resolveInside, safeFileName, sanitizeFileName } from '../../src/transfer/safe-name.js';
import { TransferError } from '../../src/transfer/transfer-error.js';

const hostile = [
  '../x',
  '../../etc/passwd',
  '/etc/passwd',
  'a/b',
  'a\\b',
  '..\\x',
  'C:\\Windows\\system32',
  'a\0b',
  'tab\there',
  'line\nbreak',
  'del\u007f',
  'c1\u0085',
  '',
  '.',
  '..',
  'x'.repeat(256),
  'é'.repeat(150), // 300 bytes of UTF-8
  'lone\ud800surrogate',
];

for (const name of hostile) {
  test(`safeFileName rejects ${JSON.stringify(name).slice(0, 40)}`, (t) => {
    const e = t.throws(() => safeFileName(name), { instanceOf: TransferError });
    t.is(e?.code, 'BAD_NAME');
    t.throws(() => resolveInside('/tmp/dl', name), { instanceOf: TransferError });
  });
}

test('safeFileName accepts ordinary names', (t) => {
  for (const name of ['a', 'report.pdf', '.hidden', '..double', 'ünïcødé ✓.txt', 'x'.repeat(255), 'é'.repeat(127)]) {
    t.is(safeFileName(name), name);
  }
});

test('safeFileName rejects non-strings', (t) => {
  t.throws(() => safeFileName(undefined));
  t.throws(() => safeFileName(42));
});

test('resolveInside returns a path directly inside the directory', (t) => {
  t.is(resolveInside('/tmp/dl', 'file.txt'), '/tmp/dl/file.txt');
  t.is(resolveInside('relative/dir', 'a'), join(resolve('relative/dir'), 'a'));
});

test('sanitizeFileName always produces a safe name', (t) => {
  t.is(sanitizeFileName('../x'), 'x');
  t.is(sanitizeFileName('/etc/passwd'), 'passwd');
  t.is(sanitizeFileName('a\0b'), 'ab');
  t.is(sanitizeFileName('..'), 'download');
  t.is(sanitizeFileName(''), 'download');
  t.is(sanitizeFileName('dir\\evil.exe'), 'evil.exe');
  const long = sanitizeFileName(`${'é'.repeat(200)}.tar.gz`);
  t.true(Buffer.byteLength(long) <= 255);
  t.true(long.endsWith('.gz'));
  for (const name of hostile) t.is(safeFileName(sanitizeFileName(name)), sanitizeFileName(name));
});
