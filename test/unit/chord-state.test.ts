import test from 'ava';
import * as core from '../../src/core/chord-state.js';
import type { NodeRef } from '../../src/core/node-ref.js';

const n = (id: number): NodeRef => ({ id: BigInt(id), address: `n${id}:1` });

test('a lone node owns every key', (t) => {
  const s = core.createState(n(10), 6, 'chord', 4);
  t.deepEqual(core.routeStep(s, 3n), { done: true, node: n(10) });
  t.deepEqual(core.routeStep(s, 40n), { done: true, node: n(10) });
});

test('routeStep answers keys in (self, successor] and forwards the rest to the closest preceding finger', (t) => {
  const s = core.createState(n(8), 6, 'chord', 4);
  core.setSuccessors(s, n(14), [n(21), n(32)]);
  s.fingers[3] = n(21);
  s.fingers[4] = n(32);
  s.fingers[5] = n(42);
  t.deepEqual(core.routeStep(s, 12n), { done: true, node: n(14) });
  t.deepEqual(core.routeStep(s, 14n), { done: true, node: n(14) });
  t.deepEqual(core.routeStep(s, 54n), { done: false, node: n(42) });
  t.deepEqual(core.routeStep(s, 30n), { done: false, node: n(21) });
  t.deepEqual(
    core.routeStep(s, 30n, new Set(['n21:1'])),
    { done: false, node: n(14) },
    'excluded nodes are routed around',
  );
});

test('naive routing only ever forwards to the successor', (t) => {
  const s = core.createState(n(8), 6, 'naive', 4);
  core.setSuccessors(s, n(14), []);
  t.is(s.fingers.length, 0);
  t.deepEqual(core.routeStep(s, 54n), { done: false, node: n(14) });
});

test('setSuccessors keeps r distinct nodes, stops at self and reports changes', (t) => {
  const s = core.createState(n(8), 6, 'chord', 3);
  const changes = core.setSuccessors(s, n(14), [n(21), n(21), n(32), n(8), n(40)]);
  t.deepEqual(
    s.successors.map((x) => Number(x.id)),
    [14, 21, 32],
  );
  t.deepEqual(
    changes.map((c) => c.kind),
    ['successor', 'successors'],
  );
  t.deepEqual(core.setSuccessors(s, n(14), [n(21), n(32)]), [], 'no change, nothing reported');
});

test('rectify adopts a closer predecessor, or any when the old one is dead', (t) => {
  const s = core.createState(n(32), 6, 'chord', 4);
  core.setSuccessors(s, n(40), []);
  core.rectify(s, n(10), true);
  t.is(s.predecessor?.id, 10n);
  core.rectify(s, n(21), true);
  t.is(s.predecessor?.id, 21n, 'N21 is between N10 and N32');
  t.true(core.rectifyNeedsLivenessCheck(s, n(14)));
  core.rectify(s, n(14), true);
  t.is(s.predecessor?.id, 21n, 'a farther node does not replace a live predecessor');
  core.rectify(s, n(14), false);
  t.is(s.predecessor?.id, 14n, 'it does replace a dead one');
});

test('a lone node takes its first notifier as successor too', (t) => {
  const s = core.createState(n(32), 6, 'chord', 4);
  core.rectify(s, n(10), true);
  t.is(core.successorOf(s).id, 10n);
});

test('removeNode drops a dead node from successors, fingers and predecessor', (t) => {
  const s = core.createState(n(8), 6, 'chord', 4);
  core.setSuccessors(s, n(14), [n(21), n(32)]);
  s.predecessor = n(14);
  s.fingers[0] = n(14);
  s.fingers[4] = n(32);
  core.removeNode(s, n(14), 0);
  t.is(core.successorOf(s).id, 21n);
  t.is(s.fingers[0] as NodeRef | null, null);
  t.is(s.predecessor as NodeRef | null, null);
  t.is(s.fingers[4]?.id, 32n);
});

test('setFinger spreads to later fingers that share the successor and skips fix_fingers past them', (t) => {
  const s = core.createState(n(0), 6, 'chord', 4);
  core.setSuccessors(s, n(1), []);
  // starts: 1, 2, 4, 8, 16, 32
  core.setFinger(s, 1, n(9), 5);
  t.deepEqual(
    s.fingers.map((f) => (f ? Number(f.id) : null)),
    [null, 9, 9, 9, null, null],
  );
  t.is(s.nextFinger, 4);
  t.deepEqual(s.fingerFixedAt.slice(1, 4), [5, 5, 5]);
});

test('seedFingers picks, for every start, the first hint at or after it', (t) => {
  const s = core.createState(n(8), 6, 'chord', 4);
  core.seedFingers(s, [n(14), n(21), n(32), n(42), n(51), n(56), n(1)]);
  // starts: 9, 10, 12, 16, 24, 40
  t.deepEqual(
    s.fingers.map((f) => Number(f!.id)),
    [14, 14, 14, 21, 32, 42],
  );
});

test('nextFingerToFix sets fingers inside (self, successor] without a lookup', (t) => {
  const s = core.createState(n(0), 6, 'chord', 4);
  core.setSuccessors(s, n(5), []);
  const changes: core.StateChange[] = [];
  const i = core.nextFingerToFix(s, 1, changes);
  t.is(i, 3, 'starts 1, 2, 4 are owned by the successor N5; start 8 needs a lookup');
  t.deepEqual(
    s.fingers.slice(0, 3).map((f) => Number(f!.id)),
    [5, 5, 5],
  );
  t.is(changes.length, 3);
});
