import test from 'ava';
import type { ChordNode } from '../../src/dht/chord-node.js';
import { successorIndex } from '../../src/sim/ring-check.js';
import { checkLookups } from '../helpers/owners.js';
import { StoreRing, bytesOf, textOf } from '../store/helpers.js';

const STABILIZE_MS = 500;
/** A crashed node's neighbours are left alone this long (never r or more neighbours down at once). */
const QUIET_NEIGHBOURS_MS = 10_000;

function sortedIds(nodes: readonly ChordNode[]): bigint[] {
  return nodes.map((n) => n.self.id).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Lookups from random live nodes; how many named the true owner (the live ring when they returned). */
async function lookupRound(sr: StoreRing, n: number, tag: number): Promise<{ ok: number; total: number }> {
  const ring = sr.ring;
  const from = Array.from({ length: n }, () => ring.pickLive());
  const results = await ring.settle(
    Promise.all(from.map((node, i) => node.lookup(`key-${tag}-${i}`).catch(() => null))),
  );
  const ids = sortedIds(ring.live);
  let ok = 0;
  for (const r of results) if (r && BigInt('0x' + r.owner.id) === ids[successorIndex(ids, BigInt('0x' + r.key))]) ok++;
  return { ok, total: n };
}

/** A live node whose ring neighbours (2 either side) were not crashed recently. */
function crashVictim(sr: StoreRing, recent: Map<string, number>, now: number): ChordNode | null {
  const live = [...sr.ring.live].sort((a, b) => (a.self.id < b.self.id ? -1 : 1));
  for (let tries = 0; tries < 20; tries++) {
    const i = Math.floor(sr.ring.random() * live.length);
    const near = [-2, -1, 0, 1, 2].map((d) => live[(i + d + live.length) % live.length]!.self.address);
    if (near.every((a) => !recent.has(a) || now - recent.get(a)! > QUIET_NEIGHBOURS_MS)) return live[i]!;
  }
  return null;
}

test('churn on 200 nodes: a join, leave or crash every interval; lookups ≥ 99.9 %, then 100 %, no file lost', async (t) => {
  const sr = new StoreRing({ seed: 91, stabilizeMs: STABILIZE_MS });
  await sr.addSequential(200);
  await sr.ready();
  const keys = Array.from({ length: 60 }, (_, i) => `file-${i}`);
  for (const [i, k] of keys.entries()) await sr.ring.settle(sr.live[i % sr.live.length]!.put(k, bytesOf(`v-${k}`)));
  const crashed = new Map<string, number>();
  const counts = { join: 0, leave: 0, crash: 0 };
  let ok = 0;
  let total = 0;
  for (let step = 0; step < 150; step++) {
    const now = sr.ring.clock.now();
    const kind = (['join', 'leave', 'crash'] as const)[step % 3]!;
    if (kind === 'join') await sr.add();
    else if (kind === 'leave') await sr.leave(sr.ring.pickLive());
    else {
      const victim = crashVictim(sr, crashed, now);
      if (victim) {
        crashed.set(victim.self.address, now);
        await sr.crash(victim);
      }
    }
    counts[kind]++;
    await sr.ring.clock.advance(STABILIZE_MS);
    const r = await lookupRound(sr, 20, step);
    ok += r.ok;
    total += r.total;
  }
  const rate = ok / total;
  t.log(`during churn: ${ok}/${total} lookups right (${(rate * 100).toFixed(2)} %), events ${JSON.stringify(counts)}`);
  t.true(rate >= 0.999, `lookups during churn ${(rate * 100).toFixed(2)} %`);
  await sr.heal();
  t.true(sr.ring.health({ fingers: false }).healthy, 'one ordered ring once churn stops');
  const after = await checkLookups(sr.ring, sr.ring.live.slice(0, 40), ['a', 'b', 'c', 'd', 'e']);
  t.is(after.wrong, 0, 'every lookup right after settling');
  t.deepEqual(sr.misplaced(keys), [], 'every file on exactly its r = 3 holders');
  const reader = sr.live[0]!;
  const bad: string[] = [];
  for (const k of keys) {
    const v = await sr.ring.settle(reader.get(k)).then(textOf, (e: Error) => e.message);
    if (v !== `v-${k}`) bad.push(`${k}: ${v}`);
  }
  t.deepEqual(bad, [], 'no stored file lost');
  await sr.stop();
});
