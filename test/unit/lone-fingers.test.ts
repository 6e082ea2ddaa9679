import test from 'ava';
import * as core from '../../src/core/chord-state.js';
import type { NodeRef } from '../../src/core/node-ref.js';

const n = (id: number): NodeRef => ({ id: BigInt(id), address: `n${id}:1` });

test('a lone node is every finger itself: set in one step, no lookup, then re-confirmed without a change', (t) => {
  const s = core.createState(n(8), 6, 'chord', 4);
  const first: core.StateChange[] = [];
  t.is(core.nextFingerToFix(s, 10, first), null, 'no finger needs a lookup');
  t.deepEqual(
    s.fingers.map((f) => f?.address),
    Array(6).fill('n8:1'),
  );
  t.is(first.length, 6, 'each finger set once');
  t.deepEqual(s.fingerFixedAt, Array(6).fill(10));
  const again: core.StateChange[] = [];
  t.is(core.nextFingerToFix(s, 20, again), null);
  t.deepEqual(again, [], 're-confirming the same node is no change');
  t.deepEqual(s.fingerFixedAt, Array(6).fill(20), 'but the fingers count as fixed now');
});

test('once a lone node has a successor, fingers past it need lookups again', (t) => {
  const s = core.createState(n(8), 6, 'chord', 4);
  core.nextFingerToFix(s, 0, []);
  core.setSuccessors(s, n(14), []);
  // starts: 9, 10, 12, 16, 24, 40: 9..12 are N14's, 16 needs a lookup
  const changes: core.StateChange[] = [];
  t.is(core.nextFingerToFix(s, 1, changes), 3);
  t.deepEqual(
    changes.map((c) => c.kind === 'finger' && c.index),
    [0, 1, 2],
  );
});
