/**
 * Chord's stabilize asks the successor for its predecessor; when every successor a node knew
 * is gone, its successor is itself and that question is answered by its own predecessor. A
 * node left with no successor but a live predecessor must take it as its successor, or the
 * ring stays broken: its predecessor's notify changes nothing (it is the predecessor already).
 * (Seen across namespaces: a partition cut a host off from every successor it knew.)
 */
import test from 'ava';
import { SimRing } from '../../src/sim/sim-ring.js';

test('a node whose whole successor list died takes its live predecessor as successor', async (t) => {
  const ring = new SimRing({ seed: 91, stabilizeMs: 500 });
  await ring.addSequential(10);
  t.true((await ring.converge(60_000)) >= 0);
  const sorted = [...ring.live].sort((a, b) => (a.self.id < b.self.id ? -1 : 1));
  const [node, ...after] = sorted;
  // Every node but the first and its predecessor (the last) dies at once: the first has no
  // successor left, in its list or its fingers, but its predecessor lives.
  for (const dead of after.slice(0, -1)) await ring.crash(dead);
  t.true(
    (await ring.converge(60_000)) >= 0,
    `ring of ${ring.live.length} did not heal: ${JSON.stringify(ring.health())}`,
  );
  const snap = node!.snapshot({ fingers: false });
  t.not(snap.successors[0]!.address, snap.address, 'the node is not its own successor');
  await ring.stop();
});
