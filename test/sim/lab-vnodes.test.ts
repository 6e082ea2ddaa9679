/**
 * The ring lab with virtual nodes (`--vnodes V`): a ring of hosts of V points each, where a
 * crash, a leave, a join or a partition acts on whole hosts, lookups still find the true
 * owner, and the keys-per-node histogram counts keys per host.
 */
import test from 'ava';
import type { ChordNode } from '../../src/dht/chord-node.js';
import { seededRandom } from '../../src/core/random.js';
import { successorIndex } from '../../src/sim/ring-check.js';
import { KEYS_PER_NODE, LabKeySample, randomKeys } from '../../src/tui/lab-key-sample.js';
import { RingLab } from '../../src/tui/ring-lab.js';
import { hostOf } from '../../src/wire/address.js';
import { checkLookups } from '../helpers/owners.js';

const V = 4;
const keys = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];

/** Live points per host address. */
function hosts(lab: RingLab): Map<string, ChordNode[]> {
  const m = new Map<string, ChordNode[]>();
  for (const n of lab.live) {
    const h = hostOf(n.self.address);
    m.set(h, [...(m.get(h) ?? []), n]);
  }
  return m;
}

/** Every live host has all V of its points in the ring. */
function wholeHosts(t: import('ava').ExecutionContext, lab: RingLab, count: number, where: string): void {
  const h = hosts(lab);
  t.is(h.size, count, `${where}: hosts`);
  t.deepEqual(
    [...h.entries()].filter(([, ns]) => ns.length !== V).map(([a]) => a),
    [],
    `${where}: every host has its ${V} points`,
  );
  t.is(lab.members().hosts, count, `${where}: the lab counts hosts`);
  t.is(lab.info().hosts, count);
  t.is(lab.info().nodes, count * V);
}

async function lookupsRight(t: import('ava').ExecutionContext, lab: RingLab, where: string): Promise<void> {
  const r = await checkLookups(lab.sim!, lab.live, keys);
  t.is(r.total, lab.live.length * keys.length);
  t.is(r.wrong, 0, `${where}: every lookup returns the true owner`);
}

test('--vnodes 4: hosts of 4 points converge; a crash removes a host with its 4 points; lookups find the true owner', async (t) => {
  const lab = await RingLab.create({ nodes: 5, vnodes: V, bits: 32, seed: 21 });
  try {
    t.not(await lab.converge(60_000), null, 'the ring converges with its fingers right');
    wholeHosts(t, lab, 5, 'built');
    t.true(lab.checkHealth().correct);
    t.is(lab.info().vnodes, V);
    await lookupsRight(t, lab, 'built');

    // Crash given one of a host's points, not its first: the whole host goes, at once.
    const victim = [...hosts(lab).values()][2]!.find((n) => n.self.address.includes('/'))!;
    const gone = hosts(lab).get(hostOf(victim.self.address))!;
    t.is(await lab.crash([victim]), 1, 'one host crashed');
    t.deepEqual(
      gone.filter((n) => lab.live.includes(n)).map((n) => n.self.address),
      [],
      'all 4 points of the crashed host are out of the ring',
    );
    t.is(lab.live.length, 16);
    t.true(
      gone.every((n) => !lab.sim!.network.isUp(n.self.address)),
      'its endpoint answers no more',
    );
    t.true(
      gone.every((n) => !n.member),
      'every point of it stopped',
    );
    t.not(await lab.converge(120_000), null, 'the ring heals without the host');
    wholeHosts(t, lab, 4, 'after the crash');
    await lookupsRight(t, lab, 'after the crash');

    // A graceful leave takes all of a host's points out; a join adds a host of 4.
    const leaver = [...hosts(lab).values()][0]![1]!;
    t.is(await lab.leave([leaver]), 1);
    wholeHosts(t, lab, 3, 'right after the leave');
    t.is(await lab.addNodes(2), 2, 'two hosts joined');
    t.not(await lab.converge(120_000), null);
    wholeHosts(t, lab, 5, 'after 2 joins');
    await lookupsRight(t, lab, 'after the joins');

    // A fraction is a fraction of the hosts: 40% of 5 hosts is 2 hosts, 8 points.
    t.is(await lab.crashFraction(0.4), 2);
    wholeHosts(t, lab, 3, 'after crashing 40%');
    t.not(await lab.converge(120_000), null);
    await lookupsRight(t, lab, 'after crashing 40%');
  } finally {
    await lab.close();
  }
});

test('--vnodes 4: a partition splits hosts, never a host', async (t) => {
  const lab = await RingLab.create({ nodes: 6, vnodes: V, bits: 32, seed: 22 });
  try {
    const sizes = lab.partition(2);
    t.deepEqual(sizes, [3, 3], 'two parts of 3 hosts');
    // Once each side has given up on the other, the successor pointers make two rings: every
    // host's 4 points sit in one of them, 3 hosts in each.
    for (let ms = 0; ms < 120_000 && lab.checkHealth().rings !== 2; ms += 1000) await lab.clock.advance(1000);
    t.is(lab.checkHealth().rings, 2);
    const ringOf = new Map<string, string>();
    for (const start of lab.live) {
      if (ringOf.has(start.self.address)) continue;
      const seen: string[] = [];
      let at = start.self.address;
      while (!seen.includes(at) && seen.length <= lab.live.length) {
        seen.push(at);
        at = lab.live.find((n) => n.self.address === at)!.snapshot({ fingers: false }).successors[0]!.address;
      }
      const label = [...seen].sort()[0]!;
      for (const a of seen) ringOf.set(a, ringOf.get(a) ?? label);
    }
    const ringsOfHost = [...hosts(lab).values()].map((ns) => new Set(ns.map((n) => ringOf.get(n.self.address))).size);
    t.deepEqual(ringsOfHost, [1, 1, 1, 1, 1, 1], 'no host is split');
    const hostsPerRing = new Map<string, number>();
    for (const ns of hosts(lab).values()) {
      const r = ringOf.get(ns[0]!.self.address)!;
      hostsPerRing.set(r, (hostsPerRing.get(r) ?? 0) + 1);
    }
    t.deepEqual([...hostsPerRing.values()], [3, 3]);
    lab.heal();
    t.not(await lab.converge(300_000), null, 'one ring again after healing');
    wholeHosts(t, lab, 6, 'healed');
  } finally {
    await lab.close();
  }
});

test('--vnodes 4: the keys-per-node histogram counts keys per host', async (t) => {
  const seed = 23;
  const lab = await RingLab.create({ nodes: 6, vnodes: V, bits: 24, seed });
  try {
    const load = new LabKeySample(lab).load()!;
    t.is(load.per, 'host');
    t.is(load.vnodes, V);
    t.is(load.count, 6, 'one count per host');
    // Independently: the lab's sample (50 keys per point: 1200), each key at the first live
    // point at or after it, summed per host.
    const sampled = KEYS_PER_NODE * 6 * V;
    t.is(load.keys, sampled);
    const points = lab.members().nodes;
    const ids = points.map((n) => n.self.id);
    const perHost = new Map<string, number>();
    for (const k of randomKeys(seededRandom(seed), sampled, 24)) {
      const h = hostOf(points[successorIndex(ids, k.id)]!.self.address);
      perHost.set(h, (perHost.get(h) ?? 0) + 1);
    }
    const want = [...perHost.values()].sort((a, b) => a - b);
    t.deepEqual(
      [...load.counts].sort((a, b) => a - b),
      want,
    );
    t.is(
      load.counts.reduce((a, b) => a + b, 0),
      sampled,
    );
    t.is(load.p99, want.at(-1)!);
  } finally {
    await lab.close();
  }
});

test('keys per host even out with virtual nodes: p99/mean is lower with 8 per host than with 1', async (t) => {
  const ratio = async (vnodes: number) => {
    const lab = await RingLab.create({ nodes: 64, vnodes, bits: 32, seed: 24 });
    try {
      const load = new LabKeySample(lab).load()!;
      t.is(load.count, 64, `${vnodes}: one count per host`);
      return load.p99 / load.mean;
    } finally {
      await lab.close();
    }
  };
  const one = await ratio(1);
  const eight = await ratio(8);
  t.true(eight < one * 0.6, `p99/mean ${one.toFixed(2)} with 1 virtual node, ${eight.toFixed(2)} with 8`);
});
