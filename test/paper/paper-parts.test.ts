/** The pieces of `p2pterm paper`: ownership math, the stable ring, the no-retry lookup, the paper's model. */
import test from 'ava';
import { hashId } from '../../src/core/ring-math.js';
import { seededRandom } from '../../src/core/random.js';
import { hostAddress, loadBalance, ownersOf, sortedKeys, virtualNodeId } from '../../src/paper/load-balance.js';
import { OwnerOracle } from '../../src/paper/owner-oracle.js';
import { binomialHalf, paperChurnEstimate } from '../../src/paper/paper-values.js';
import { buildStableRing, wrongSuccessorLists } from '../../src/paper/stable-ring.js';
import { strictLookup } from '../../src/paper/strict-lookup.js';
import { runPaper, type PaperResults } from '../../src/paper/run-paper.js';
import { percentileSorted, spread } from '../../src/paper/summary-stats.js';
import { tinyConfig } from './tiny-config.js';

test("a host's first virtual node is the host's own id; the others hash `address#k`", (t) => {
  const a = hostAddress(4, 17);
  t.is(a, 's4-n17.sim:4000');
  t.is(virtualNodeId(a, 0, 160), hashId(a, 160));
  t.is(virtualNodeId(a, 3, 160), hashId(`${a}#3`, 160));
});

test('ownersOf gives each key the first node id at or after it, wrapping', (t) => {
  const bits = 16;
  const keys = sortedKeys(9, 500, bits);
  const random = seededRandom(5);
  const ids = Array.from({ length: 40 }, () => BigInt(Math.floor(random() * 2 ** bits)));
  const nodes = ids.map((id, index) => ({ id, hi: Number(id), index })).sort((a, b) => a.hi - b.hi);
  const owner = ownersOf(keys, nodes);
  const sorted = [...ids].sort((a, b) => (a < b ? -1 : 1));
  for (const k of keys) {
    const want = sorted.find((id) => id >= k.id) ?? sorted[0]!;
    t.is(ids[owner[k.index]!], want);
  }
});

test('keys per node: counts add up to the keys; more virtual nodes spread them more evenly', (t) => {
  const r = loadBalance({
    nodes: 300,
    keyCounts: [3_000, 6_000],
    virtualKeys: 6_000,
    virtualNodes: [1, 10],
    seeds: [2],
  });
  t.deepEqual(
    r.keysPerNode.map((p) => p.mean * p.nodes),
    [3_000, 6_000],
  );
  const [one, ten] = r.virtualNodes;
  t.true(ten!.p99OverMean < one!.p99OverMean && ten!.p1OverMean > one!.p1OverMean);
});

test('nearest-rank percentiles', (t) => {
  const s = Float64Array.from({ length: 100 }, (_, i) => i + 1);
  t.is(percentileSorted(s, 1), 1);
  t.is(percentileSorted(s, 99), 99);
  t.is(percentileSorted(s, 50), 50);
  t.like(spread([5, 1, 3]), { mean: 3, min: 1, max: 5, count: 3 });
});

test("the paper's models: Binomial(n, ½) sums to 1 with mean n/2; k/100 failures at 500 nodes", (t) => {
  const b = binomialHalf(12);
  t.true(Math.abs(b.reduce((a, x) => a + x, 0) - 1) < 1e-12);
  t.true(Math.abs(b.reduce((a, x, k) => a + k * x, 0) - 6) < 1e-12);
  t.true(Math.abs(paperChurnEstimate(0.1) - 0.03) < 1e-12);
});

test('a stable ring has every successor list and finger right, and stabilization paused', async (t) => {
  const ring = await buildStableRing({ nodes: 64, seed: 21 });
  const sorted = [...ring.live].sort((a, b) => (a.self.id < b.self.id ? -1 : 1));
  t.is(wrongSuccessorLists(sorted, 8), 0);
  t.like(ring.health({ fingers: true }), { healthy: true, wrongFingers: 0, nodes: 64 });
  t.true(ring.live.every((n) => n.stabilization.isPaused()));
  await ring.stop();
});

test("the no-retry lookup fails at the first silent hop; p2pterm's lookup routes around it", async (t) => {
  const ring = await buildStableRing({ nodes: 64, seed: 22 });
  const live = ring.live;
  const oracle = new OwnerOracle(live);
  const from = live[0]!;
  let key = 0n;
  let hop = '';
  for (let i = 0; !hop; i++) {
    key = hashId(`probe-${i}`, from.bits);
    const r = await ring.settle(from.lookupId(key));
    // A key whose lookup makes at least two remote steps: the first hop is then not the last.
    if (r.path.length >= 3) hop = r.path[1]!.address;
  }
  t.is((await ring.settle(strictLookup(from, key))).owner, oracle.ownerOf(key), 'same answer while all are up');
  await ring.crash(live.find((n) => n.self.address === hop)!);
  await t.throwsAsync(ring.settle(strictLookup(from, key)));
  const r = await ring.settle(from.lookupId(key));
  t.is(r.owner.address, new OwnerOracle(ring.live).ownerOf(key));
  t.true(r.rpcs > r.hops, 'p2pterm timed out once and asked again');
  await ring.stop();
});

/** The results without the wall-clock figures (the only part allowed to differ between runs). */
function numbers(r: PaperResults): unknown {
  return JSON.parse(JSON.stringify(r, (k, v) => (['wallMs', 'buildMs', 'lookupMs'].includes(k) ? undefined : v)));
}

test('a run is reproducible: the same seed gives the same numbers, another seed other ones', async (t) => {
  const [a, b, c] = [await runPaper(tinyConfig(3)), await runPaper(tinyConfig(3)), await runPaper(tinyConfig(4))];
  t.deepEqual(numbers(a), numbers(b));
  t.notDeepEqual(numbers(a), numbers(c));
});
