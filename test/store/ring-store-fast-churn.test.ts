import test from 'ava';
import type { ChordNode } from '../../src/dht/chord-node.js';
import { successorIndex } from '../../src/sim/ring-check.js';
import { StoreRing, bytesOf, textOf } from './helpers.js';

/**
 * The process churn benchmark's schedule on the virtual clock: 32 nodes, stabilization every
 * 500 ms, r = 3; for 60 s an event every 250 ms (join, leave, join, crash), each running in the
 * background as the next ones start. A joiner gets three members to join through; a leaver is
 * stopped right after its leave returns; a crash never hits a node within two places of one
 * crashed in the last 10 s. Seeds: 12 lost 7 of 60 keys before copies were pushed on without a
 * lookup; 4 left the ring split (stabilization rounds held up by finger lookups); 10 lost a key
 * when a leaver handed its entries to one successor only.
 */
const STABILIZE_MS = 500;
const EVENT_EVERY_MS = 250;
const CHURN_MS = 60_000;
const KILL_SPACING_MS = 10_000;

interface Churn {
  members: ChordNode[];
  readonly busy: Set<ChordNode>;
  readonly killedAt: Map<bigint, number>;
  readonly pending: Promise<void>[];
  readonly counts: Record<'join' | 'joinFailed' | 'leave' | 'leaveFailed' | 'crash' | 'crashSkipped', number>;
}

function pickSome(sr: StoreRing, list: readonly ChordNode[], n: number): ChordNode[] {
  const pool = [...list];
  const out: ChordNode[] = [];
  while (out.length < n && pool.length > 0) out.push(pool.splice(Math.floor(sr.ring.random() * pool.length), 1)[0]!);
  return out;
}

/** A member not within two places (by id, among the members now) of one crashed in the last 10 s. */
function killable(sr: StoreRing, c: Churn): ChordNode | undefined {
  const now = sr.ring.clock.now();
  const recent = [...c.killedAt].filter(([, t]) => now - t < KILL_SPACING_MS).map(([id]) => id);
  const sorted = [...c.members].sort((a, b) => (a.self.id < b.self.id ? -1 : 1));
  const ids = sorted.map((x) => x.self.id);
  const candidates = sorted.filter((m, i) => {
    if (c.busy.has(m)) return false;
    for (const dead of recent) {
      const j = successorIndex(ids, dead);
      if (Math.min(Math.abs(i - j), sorted.length - Math.abs(i - j)) <= 2) return false;
    }
    return true;
  });
  return candidates[Math.floor(sr.ring.random() * candidates.length)];
}

async function joinThrough(sr: StoreRing, via: readonly ChordNode[]): Promise<ChordNode> {
  const node = await sr.ring.spawn();
  await sr.attach(node, null);
  for (const v of via) {
    const ok = await node.join(v.self.address).then(
      () => true,
      () => false, // the next member on the list is tried, as `--join A,B,C` does
    );
    if (ok) return node;
  }
  await sr.crash(node);
  throw new Error('no member to join through answered');
}

function startEvent(sr: StoreRing, c: Churn, e: number): void {
  const kind = (['join', 'leave', 'join', 'crash'] as const)[e % 4]!;
  if (kind === 'join') {
    c.counts.join++;
    c.pending.push(
      joinThrough(sr, pickSome(sr, c.members, 3)).then(
        (m) => void c.members.push(m),
        () => void c.counts.joinFailed++, // stopped in joinThrough: an event that did not happen
      ),
    );
  } else if (kind === 'leave') {
    const idle = c.members.filter((m) => !c.busy.has(m));
    const m = idle[Math.floor(sr.ring.random() * idle.length)];
    if (!m) return;
    c.counts.leave++;
    c.busy.add(m);
    c.members = c.members.filter((x) => x !== m);
    c.pending.push(
      m
        .leave()
        .catch(() => void c.counts.leaveFailed++) // the process is stopped either way, as the benchmark does
        .then(() => sr.crash(m)),
    );
  } else {
    const m = killable(sr, c);
    if (!m) {
      c.counts.crashSkipped++;
      return;
    }
    c.counts.crash++;
    c.killedAt.set(m.self.id, sr.ring.clock.now());
    c.members = c.members.filter((x) => x !== m);
    c.pending.push(sr.crash(m));
  }
}

for (const seed of [12, 4, 10]) {
  test(`fast churn (join every 0.5 s, leave and crash every 1 s, overlapping), seed ${seed}: no stored key is lost`, async (t) => {
    const sr = new StoreRing({ seed, stabilizeMs: STABILIZE_MS });
    await sr.addSequential(32);
    await sr.ready();
    const keys = Array.from({ length: 60 }, (_, i) => `keep-${i}`);
    for (const [i, k] of keys.entries()) await sr.ring.settle(sr.live[i % sr.live.length]!.put(k, bytesOf(`v-${k}`)));
    const c: Churn = {
      members: [...sr.ring.live],
      busy: new Set(),
      killedAt: new Map(),
      pending: [],
      counts: { join: 0, joinFailed: 0, leave: 0, leaveFailed: 0, crash: 0, crashSkipped: 0 },
    };
    for (let e = 0; e * EVENT_EVERY_MS < CHURN_MS; e++) {
      startEvent(sr, c, e);
      await sr.ring.clock.advance(EVENT_EVERY_MS);
    }
    await sr.ring.settle(Promise.all(c.pending));
    t.log(`events ${JSON.stringify(c.counts)}, ring of ${sr.ring.live.length}`);
    t.true(c.counts.crash >= 30 && c.counts.leave >= 50, 'the churn happened');
    if ((await sr.ring.converge(120_000)) < 0)
      t.fail(`the ring did not settle: ${JSON.stringify(sr.ring.health({ fingers: false }))}`);
    await sr.ring.clock.advance(60_000);
    const noCopy = keys.filter((k) => sr.copies(k).length === 0);
    t.deepEqual(noCopy, [], 'every key has a live copy');
    const bad: string[] = [];
    for (const reader of pickSome(sr, sr.ring.live, 3)) {
      for (const k of keys) {
        const v = await sr.ring.settle(sr.stores.get(reader)!.get(k)).then(textOf, (e: Error) => e.message);
        if (v !== `v-${k}`) bad.push(`${k}: ${v}`);
      }
    }
    t.deepEqual(bad, [], 'every key read back from every reader');
    t.deepEqual(sr.misplaced(keys), [], 'every key on exactly its r = 3 holders once maintenance ran');
    await sr.stop();
  });
}
