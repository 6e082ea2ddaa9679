import test from 'ava';
import { hashId } from '../../src/core/ring-math.js';
import type { PutEntry } from '../../src/store/blob-store.js';
import { MemoryBlobStore } from '../../src/store/memory-blob-store.js';
import { SharedBlobStore } from '../../src/store/shared-blob-store.js';

const entry = (key: string, text: string, role: PutEntry['role'] = 'primary'): PutEntry => ({
  key,
  id: hashId(key, 32),
  kind: 'value',
  role,
  bytes: new TextEncoder().encode(text),
});

/** A MemoryBlobStore that counts the puts that reach it. */
class CountingStore extends MemoryBlobStore {
  writes = 0;
  override put(e: PutEntry) {
    this.writes++;
    return super.put(e);
  }
}

test('views see only their own keys, each with its own role; the bytes are kept once', async (t) => {
  const base = new CountingStore();
  const shared = new SharedBlobStore(base);
  const a = shared.view();
  const b = shared.view();
  await a.put(entry('k', 'v'));
  t.is(a.meta('k')?.role, 'primary');
  t.is(b.meta('k'), null, 'b does not hold what a holds');
  t.is(await b.get('k'), null);
  t.deepEqual(b.scan({ after: null, upTo: null }, null, 10), []);
  // The key moves to b (a hand-over between two members of one process): nothing is rewritten.
  await b.put(entry('k', 'v', 'replica'));
  t.is(base.writes, 1, 'the same bytes are not written again');
  t.is(b.meta('k')?.role, 'replica');
  t.is(a.meta('k')?.role, 'primary', 'roles are per view');
  t.true(await a.delete('k', a.meta('k')!.digest));
  t.is(a.meta('k'), null);
  t.is(new TextDecoder().decode((await b.get('k'))!), 'v', 'b still reads it after a dropped it');
  t.not(base.meta('k'), null, 'the bytes stay while a view holds them');
  t.true(await b.delete('k'));
  t.is(base.meta('k'), null, 'the last view to drop a key removes its bytes');
  t.deepEqual(a.counts(), { primary: 0, replica: 0 });
});

test('counts and scans are per view; a scan fills its page past keys other views hold', async (t) => {
  const shared = new SharedBlobStore(new MemoryBlobStore());
  const a = shared.view();
  const b = shared.view();
  for (let i = 0; i < 600; i++) await (i % 3 === 0 ? a : b).put(entry(`k${i}`, `v${i}`, i % 2 ? 'replica' : 'primary'));
  t.deepEqual(a.counts(), { primary: 100, replica: 100 });
  t.deepEqual(b.counts(), { primary: 200, replica: 200 });
  const page = a.scan({ after: null, upTo: null }, null, 150);
  t.is(page.length, 150, 'a full page, though two thirds of the store are b');
  t.true(page.every((m) => Number(m.key.slice(1)) % 3 === 0));
  const rest = a.scan({ after: null, upTo: null }, page[page.length - 1]!, 150);
  t.is(rest.length, 50);
});

test('what the shared store held already (a restart) is held by the first view', async (t) => {
  const base = new MemoryBlobStore();
  await base.put(entry('old', 'kept', 'replica'));
  const shared = new SharedBlobStore(base);
  const first = shared.view();
  const second = shared.view();
  t.is(first.meta('old')?.role, 'replica');
  t.is(second.meta('old'), null);
  t.false(await second.delete('old'), 'a view cannot drop what it does not hold');
  t.not(base.meta('old'), null);
});

test('a put of a key whose bytes are being removed waits, then writes them again', async (t) => {
  /** Removal takes a while, as on a disk. */
  class SlowDelete extends MemoryBlobStore {
    override async delete(key: string, digest?: string) {
      await new Promise((r) => setTimeout(r, 20));
      return super.delete(key, digest);
    }
  }
  const shared = new SharedBlobStore(new SlowDelete());
  const a = shared.view();
  const b = shared.view();
  await a.put(entry('k', 'v'));
  const dropped = a.delete('k');
  await b.put(entry('k', 'v'));
  t.true(await dropped);
  t.is(
    new TextDecoder().decode((await b.get('k')) ?? new Uint8Array()),
    'v',
    'b holds the bytes after a removed its copy',
  );
});
