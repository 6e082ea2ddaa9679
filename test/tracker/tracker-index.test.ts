/** The SQLite index: records, offline peers, RFC/name mapping, search, persistence. */
import test from 'ava';
import { join } from 'node:path';
import { TrackerIndex, nameOfRfc, rfcOfName } from '../../src/tracker/tracker-index.js';
import { tempDir } from './helpers.js';

function withIndex(fn: (index: TrackerIndex, dbPath: string) => void): void {
  const dir = tempDir();
  const dbPath = join(dir.path, 'sub', 'tracker.db');
  const index = new TrackerIndex(dbPath);
  try {
    fn(index, dbPath);
  } finally {
    index.close();
    dir.remove();
  }
}

test('rfcN.txt is RFC N and back', (t) => {
  t.is(rfcOfName('rfc123.txt'), 123);
  t.is(rfcOfName('RFC7.TXT'), 7);
  t.is(rfcOfName('rfc12.txt.bak'), null);
  t.is(rfcOfName('myrfc1.txt'), null);
  t.is(nameOfRfc(42), 'rfc42.txt');
});

test('lookupRfc offers online peers only; offline records are kept and come back', (t) => {
  withIndex((index) => {
    const a = index.upsertPeer('a', 1, 'p2pci');
    const b = index.upsertPeer('b', 2, 'p2pterm');
    index.addFile(a.id, { name: nameOfRfc(5), rfc: 5, title: 'Five' });
    index.addFile(b.id, { name: 'rfc5.txt', size: 10, sha256: 'f'.repeat(64) });
    t.deepEqual(
      index.lookupRfc(5).map((r) => [r.host, r.title]),
      [
        ['a', 'Five'],
        ['b', 'rfc5.txt'],
      ],
    );
    index.setPeerOnline(a.id, false);
    t.deepEqual(
      index.lookupRfc(5).map((r) => r.host),
      ['b'],
    );
    t.deepEqual(
      index.listRfcs().map((r) => r.host),
      ['b'],
    );
    t.deepEqual(
      index.search('rfc5').map((r) => [r.host, r.online]),
      [
        ['b', true],
        ['a', false],
      ],
    );
    index.upsertPeer('a', 1, 'p2pci');
    t.deepEqual(
      index
        .lookupRfc(5)
        .map((r) => r.host)
        .sort(),
      ['a', 'b'],
    );
    t.deepEqual(index.stats(), { peers: 2, onlinePeers: 2, files: 2 });
  });
});

test('search matches name or title fragments case-insensitively, with LIKE wildcards escaped', (t) => {
  withIndex((index) => {
    const p = index.upsertPeer('h', 1, 'p2pterm');
    index.addFiles(p.id, [
      { name: 'Report_2024.pdf' },
      { name: 'Report-2024.pdf' },
      { name: '100%.txt' },
      { name: 'rfc9.txt', title: 'Cats and Dogs' },
    ]);
    t.deepEqual(
      index.search('report_').map((r) => r.name),
      ['Report_2024.pdf'],
    );
    t.deepEqual(
      index.search('0%').map((r) => r.name),
      ['100%.txt'],
    );
    t.deepEqual(
      index.search('DOGS').map((r) => r.name),
      ['rfc9.txt'],
    );
    t.is(index.search('').length, 4);
    t.deepEqual(
      index.findByName('rfc9.txt').map((r) => r.rfc),
      [9],
    );
  });
});

test('replaceFiles makes the list the whole set; removeFile and removePeerFiles delete', (t) => {
  withIndex((index) => {
    const p = index.upsertPeer('h', 1, 'p2pterm');
    index.addFiles(p.id, [{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    t.is(index.replaceFiles(p.id, [{ name: 'b' }, { name: 'd', size: 4 }]), 2);
    t.deepEqual(
      index.listAll().map((r) => r.name),
      ['b', 'd'],
    );
    t.true(index.removeFile(p.id, 'b'));
    t.false(index.removeFile(p.id, 'b'));
    t.is(index.removePeerFiles(p.id), 1);
    t.is(index.stats().files, 0);
  });
});

test('adding the same name again updates the record instead of duplicating it', (t) => {
  withIndex((index) => {
    const p = index.upsertPeer('h', 1, 'p2pci');
    index.addFile(p.id, { name: 'rfc1.txt', rfc: 1, title: 'old' });
    index.addFile(p.id, { name: 'rfc1.txt', rfc: 1, title: 'new' });
    t.deepEqual(
      index.lookupRfc(1).map((r) => r.title),
      ['new'],
    );
  });
});

test('the database persists across close and reopen; markAllOffline keeps records', (t) => {
  withIndex((index, dbPath) => {
    const p = index.upsertPeer('persist', 9, 'p2pterm');
    index.addFile(p.id, { name: 'rfc3.txt', size: 3, sha256: 'c'.repeat(64) });
    index.close();
    const again = new TrackerIndex(dbPath);
    try {
      t.is(again.markAllOffline(), 1);
      t.deepEqual(again.lookupRfc(3), []);
      t.like(again.findByName('rfc3.txt')[0], { host: 'persist', port: 9, size: 3, online: false, rfc: 3 });
      t.like(again.getPeer('persist', 9), { online: false, kind: 'p2pterm' });
    } finally {
      again.close();
    }
  });
});
