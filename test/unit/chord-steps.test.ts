import test from 'ava';
import * as core from '../../src/core/chord-state.js';
import type { NodeRef } from '../../src/core/node-ref.js';

const n = (id: number): NodeRef => ({ id: BigInt(id), address: `n${id}:1` });
const ids = (list: readonly NodeRef[]) => list.map((x) => Number(x.id));

test('a leaving predecessor is replaced by its own predecessor', (t) => {
  const s = core.createState(n(32), 6, 'chord', 4);
  core.setSuccessors(s, n(40), [n(50)]);
  core.rectify(s, n(21), true);
  const changes = core.mergeLeaving(s, n(21), n(10), [], 100);
  t.is(s.predecessor?.id, 10n);
  t.deepEqual(
    changes.filter((c) => c.kind === 'predecessor').map((c) => c.kind === 'predecessor' && c.to && Number(c.to.id)),
    [null, 10],
    'cleared, then set to the leaver’s predecessor',
  );
});

test('a leaving successor is replaced by its successors, ahead of ours', (t) => {
  const s = core.createState(n(8), 6, 'chord', 3);
  core.setSuccessors(s, n(14), [n(21), n(32)]);
  s.fingers[2] = n(14);
  const changes = core.mergeLeaving(s, n(14), null, [n(21), n(25)], 7);
  t.deepEqual(ids(s.successors), [21, 25, 32]);
  t.true(s.fingers[2] === null, 'fingers forget the leaver');
  t.true(changes.some((c) => c.kind === 'successor'));
  t.true(changes.some((c) => c.kind === 'finger' && c.index === 2 && c.node === null && c.at === 7));
});

test('a leaving node we do not know changes nothing', (t) => {
  const s = core.createState(n(8), 6, 'chord', 3);
  core.setSuccessors(s, n(14), [n(21)]);
  t.deepEqual(core.mergeLeaving(s, n(40), n(32), [n(50)], 1), []);
  t.deepEqual(ids(s.successors), [14, 21]);
});

test('forgetFinger clears every finger of a dead node and reports each', (t) => {
  const s = core.createState(n(8), 6, 'chord', 3);
  s.fingers[0] = n(14);
  s.fingers[1] = n(14);
  s.fingers[4] = n(32);
  const changes = core.forgetFinger(s, n(14), 5);
  t.deepEqual(
    changes.map((c) => c.kind === 'finger' && c.index),
    [0, 1],
  );
  t.is(s.fingers[4]?.id, 32n);
  t.deepEqual(core.forgetFinger(s, n(14), 6), [], 'nothing left to forget');
});

test('restartFingerFix starts fix_fingers over; resetState keeps identity and settings only', (t) => {
  const s = core.createState(n(8), 6, 'chord', 3);
  core.setSuccessors(s, n(14), [n(21)]);
  core.nextFingerToFix(s, 0, []);
  t.not(s.nextFinger, 0);
  core.restartFingerFix(s);
  t.is(s.nextFinger, 0);
  const fresh = core.resetState(s);
  t.deepEqual(ids(fresh.successors), [8]);
  t.is(fresh.r, 3);
  t.is(fresh.fingers.length, 6);
});

test('isCloserSuccessor: only a node strictly between self and the successor', (t) => {
  const s = core.createState(n(8), 6, 'chord', 3);
  t.true(core.isCloserSuccessor(s, n(10), n(14)));
  t.false(core.isCloserSuccessor(s, n(14), n(14)));
  t.false(core.isCloserSuccessor(s, n(20), n(14)));
  t.false(core.isCloserSuccessor(s, null, n(14)));
});
