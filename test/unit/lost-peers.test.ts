import test from 'ava';
import * as core from '../../src/core/chord-state.js';
import {
  LOST_PEER_TTL_MS,
  LOST_PEERS_MAX,
  PROBE_FIRST_MS,
  PROBE_MAX_MS,
  dueProbes,
  nextProbeAt,
  noteFound,
  noteLost,
  type LostPeer,
} from '../../src/core/lost-peers.js';
import type { NodeRef } from '../../src/core/node-ref.js';
import { closerThanSuccessor, mergeSuccessors } from '../../src/core/ring-merge.js';

const n = (id: number): NodeRef => ({ id: BigInt(id), address: `n${id}:1` });
const ids = (list: readonly NodeRef[]) => list.map((x) => Number(x.id));

test('lost peers: bounded, one entry per address, probed with a doubling gap, aged out', (t) => {
  const list: LostPeer[] = [];
  noteLost(list, n(1), 0);
  noteLost(list, n(1), 5);
  t.is(list.length, 1, 'a repeated loss keeps one entry');
  t.is(nextProbeAt(list), PROBE_FIRST_MS);
  t.deepEqual(dueProbes(list, PROBE_FIRST_MS - 1), [], 'nothing due before the first gap');
  const gaps: number[] = [];
  let now = PROBE_FIRST_MS;
  for (let i = 0; i < 6; i++) {
    t.deepEqual(ids(dueProbes(list, now)), [1]);
    gaps.push(nextProbeAt(list)! - now);
    now = nextProbeAt(list)!;
  }
  t.deepEqual(
    gaps,
    [2_000, 4_000, 8_000, 16_000, 16_000, 16_000].map((g) => Math.min(g, PROBE_MAX_MS)),
  );
  t.deepEqual(dueProbes(list, LOST_PEER_TTL_MS + 1), [], 'aged out');
  t.is(list.length, 0);
  for (let i = 0; i < LOST_PEERS_MAX + 5; i++) noteLost(list, n(100 + i), i);
  t.is(list.length, LOST_PEERS_MAX);
  t.is(Number(list[0]!.node.id), 105, 'the oldest losses went first');
  t.true(noteFound(list, 'n110:1'));
  t.false(noteFound(list, 'n110:1'));
  t.is(dueProbes(list, 1e6, 3).length, 3, 'at most k per pass');
});

test('a node found dead is routed around until it is adopted again', (t) => {
  const s = core.createState(n(8), 6, 'chord', 4);
  core.setSuccessors(s, n(14), [n(21), n(32)]);
  core.removeNode(s, n(14), 0);
  t.true(core.believedDead(s, 'n14:1'));
  // A hop that named n14 is not followed: routing goes to the next live successor.
  s.fingers[3] = n(14);
  t.deepEqual(ids([core.routeStep(s, 13n).node]), [21]);
  core.setSuccessors(s, n(14), [n(21)]);
  t.false(core.believedDead(s, 'n14:1'), 'adopted again: no longer lost');
  core.nodeUnreachable(s, n(32), 1);
  t.true(core.believedDead(s, 'n32:1'));
  t.is(s.fingers[3]?.id, 14n);
});

test('a graceful leave is not a loss: nothing to probe', (t) => {
  const s = core.createState(n(8), 6, 'chord', 4);
  core.setSuccessors(s, n(14), [n(21)]);
  core.mergeLeaving(s, n(14), null, [n(21)], 0);
  t.is(s.lost.length, 0);
});

test('merge step: a node of another ring is adopted only when closer; lists merge in ring order', (t) => {
  const s = core.createState(n(8), 6, 'chord', 3);
  core.setSuccessors(s, n(20), [n(30), n(40)]);
  t.false(closerThanSuccessor(s, n(25)));
  t.false(closerThanSuccessor(s, n(20)));
  t.false(closerThanSuccessor(s, n(8)));
  t.true(closerThanSuccessor(s, n(12)));
  const changes = mergeSuccessors(s, [n(12), n(22), n(35)]);
  t.deepEqual(ids(s.successors), [12, 20, 22]);
  t.deepEqual(
    changes.map((c) => c.kind),
    ['successor', 'successors'],
  );
  const alone = core.createState(n(8), 6, 'chord', 3);
  t.true(closerThanSuccessor(alone, n(60)), 'a node alone adopts any node of another ring');
});
