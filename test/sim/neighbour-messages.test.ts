/**
 * `leaving` and `notify` change a node's neighbours, so only the node they name may send them:
 * a third peer forging them gets FORBIDDEN and the ring is untouched. Virtual clock, memory
 * transport.
 */
import test from 'ava';
import { hashId } from '../../src/core/ring-math.js';
import { SimRing } from '../../src/sim/sim-ring.js';

async function ringWithRogue() {
  const ring = new SimRing({ seed: 5, bits: 16 });
  await ring.addSequential(4);
  if ((await ring.converge(30_000)) < 0) throw new Error('ring did not converge');
  const address = 'rogue:1';
  const rogue = ring.network.transport(address, () => ({
    id: hashId(address, 16).toString(16),
    bits: 16,
    routing: 'chord',
  }));
  return { ring, rogue };
}

test('a forged leaving about a neighbour is refused; the victim keeps its neighbours', async (t) => {
  const { ring, rogue } = await ringWithRogue();
  const [victim] = ring.live;
  const before = victim!.snapshot();
  const succ = before.successors[0]!;
  const e = await t.throwsAsync(
    rogue.request(victim!.self.address, 'leaving', { node: succ, predecessor: null, successors: [] }),
  );
  t.is((e as Error & { code: string }).code, 'FORBIDDEN');
  t.deepEqual(victim!.snapshot().successors, before.successors);
  t.true(ring.health({ fingers: false }).healthy);
  await ring.stop();
});

test('a forged notify naming another node is refused', async (t) => {
  const { ring, rogue } = await ringWithRogue();
  const [victim, other] = ring.live;
  const before = victim!.snapshot();
  const o = other!.snapshot();
  const e = await t.throwsAsync(
    rogue.request(victim!.self.address, 'notify', { node: { id: o.id, address: o.address } }),
  );
  t.is((e as Error & { code: string }).code, 'FORBIDDEN');
  t.deepEqual(victim!.snapshot().predecessor, before.predecessor);
  await ring.stop();
});

test('a real leave still hands over: the ring closes the gap', async (t) => {
  const { ring } = await ringWithRogue();
  await ring.leave(ring.live[1]!);
  t.true((await ring.converge(30_000)) >= 0);
  t.is(ring.health({ fingers: false }).nodes, 3);
  await ring.stop();
});
