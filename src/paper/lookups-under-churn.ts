/**
 * Experiment 6: lookups while nodes keep joining and failing (SIGCOMM 2001 §6.5, Figure 12:
 * 500 nodes, joins and failures each a Poisson process of rate R per second, stabilization
 * about every 30 s, one lookup per second, no retries). The ring is SimRing's ChordNodes with
 * stabilization running at the paper's interval; virtual time runs for the whole experiment.
 *
 * Every lookup event runs two lookups from the same node for the same key at the same moment:
 * one without retries (strict-lookup.ts, the paper's simulator) and p2pterm's own lookup
 * (which routes around nodes that do not answer). A lookup fails if it rejects or names a node
 * other than the key's live successor when it was issued or when it finished; lost keys are
 * not counted (the paper: "only failures caused by Chord state inconsistency"). Lookups whose
 * asker failed meanwhile are dropped. A node counts as a member only once its join returned.
 */
import type { ChordNode } from '../dht/chord-node.js';
import { hashId } from '../core/ring-math.js';
import { seededRandom } from '../core/random.js';
import type { SimRing } from '../sim/sim-ring.js';
import { OwnerOracle } from './owner-oracle.js';
import { buildStableRing } from './stable-ring.js';
import { strictLookup } from './strict-lookup.js';

export interface ChurnOptions {
  readonly nodes: number;
  /** Join rates R per second (failures happen at the same rate). */
  readonly rates: readonly number[];
  /** Virtual time measured per rate, after the warm-up. */
  readonly measureMs: number;
  /** Virtual time of churn before lookups are counted. */
  readonly warmupMs: number;
  /** Lookups per virtual second (the paper: 1). */
  readonly lookupsPerSecond: number;
  /** Stabilization interval (the paper: about 30 s). */
  readonly stabilizeMs: number;
  readonly seed: number;
  readonly onPoint?: (p: ChurnPoint) => void;
}

export interface LookupTally {
  readonly lookups: number;
  readonly failed: number;
  /** failed / lookups. */
  readonly fraction: number;
  /** Of the failures: lookups that rejected (the rest named a wrong owner). */
  readonly rejected: number;
  readonly meanHops: number;
}

export interface ChurnPoint {
  /** Joins per second (and failures per second). */
  readonly rate: number;
  /** Joins (and failures) per stabilization interval. */
  readonly perStabilization: number;
  readonly withoutRetries: LookupTally;
  readonly withRetries: LookupTally;
  readonly joins: number;
  readonly failedJoins: number;
  readonly crashes: number;
  /** Members at the end. */
  readonly finalNodes: number;
  readonly wallMs: number;
}

export async function lookupsUnderChurn(o: ChurnOptions): Promise<ChurnPoint[]> {
  const out: ChurnPoint[] = [];
  for (const [i, rate] of o.rates.entries()) {
    const t0 = performance.now();
    const ring = await buildStableRing({ nodes: o.nodes, seed: o.seed, stabilizeMs: o.stabilizeMs });
    try {
      const run = new ChurnRun(ring, rate, o, seededRandom(o.seed * 31 + i));
      const p = { ...(await run.run()), wallMs: Math.round(performance.now() - t0) };
      o.onPoint?.(p);
      out.push(p);
    } finally {
      await ring.stop();
    }
  }
  return out;
}

class Tally {
  lookups = 0;
  failed = 0;
  rejected = 0;
  hops = 0;

  result(): LookupTally {
    const n = Math.max(1, this.lookups);
    return {
      lookups: this.lookups,
      failed: this.failed,
      fraction: this.failed / n,
      rejected: this.rejected,
      meanHops: this.hops / n,
    };
  }
}

/** Time to let lookups still in flight finish after the last event (p2pterm may wait on 24 timeouts). */
const DRAIN_MS = 120_000;

class ChurnRun {
  private readonly members: Set<ChordNode>;
  private oracle: OwnerOracle | null = null;
  private readonly strict = new Tally();
  private readonly own = new Tally();
  private joins = 0;
  private failedJoins = 0;
  private crashes = 0;
  private lookupSeq = 0;
  private readonly endAt: number;
  private readonly measureFrom: number;

  constructor(
    private readonly ring: SimRing,
    private readonly rate: number,
    private readonly o: ChurnOptions,
    private readonly random: () => number,
  ) {
    this.members = new Set(ring.live);
    this.measureFrom = ring.clock.now() + o.warmupMs;
    this.endAt = this.measureFrom + o.measureMs;
  }

  async run(): Promise<Omit<ChurnPoint, 'wallMs'>> {
    for (const n of this.members) n.stabilization.resume();
    this.every(this.rate, () => void this.join());
    this.every(this.rate, () => void this.crash());
    this.every(this.o.lookupsPerSecond, () => this.lookupPair());
    await this.ring.clock.advance(this.endAt - this.ring.clock.now() + DRAIN_MS);
    return {
      rate: this.rate,
      perStabilization: (this.rate * this.o.stabilizeMs) / 1000,
      withoutRetries: this.strict.result(),
      withRetries: this.own.result(),
      joins: this.joins,
      failedJoins: this.failedJoins,
      crashes: this.crashes,
      finalNodes: this.members.size,
    };
  }

  /** Runs `fn` as a Poisson process of `perSecond` events until the end of the run. */
  private every(perSecond: number, fn: () => void): void {
    const next = () => {
      const wait = (-Math.log(1 - this.random()) / perSecond) * 1000;
      if (this.ring.clock.now() + wait >= this.endAt) return;
      this.ring.clock.setTimeout(() => (fn(), next()), wait);
    };
    next();
  }

  private pickMember(): ChordNode {
    const list = [...this.members];
    return list[Math.floor(this.random() * list.length)]!;
  }

  private truth(): OwnerOracle {
    this.oracle ??= new OwnerOracle(this.members);
    return this.oracle;
  }

  private async join(): Promise<void> {
    const via = this.pickMember();
    const node = await this.ring.spawn();
    try {
      await node.join(via.self.address);
      this.members.add(node);
      this.oracle = null;
      this.joins++;
    } catch (e) {
      // A join through a node that failed meanwhile: the newcomer gives up, as a real one would.
      this.failedJoins++;
      node.log('info', 'paper', `join failed: ${(e as Error).message}`);
      await this.ring.crash(node);
    }
  }

  private async crash(): Promise<void> {
    if (this.members.size <= 2) return;
    const victim = this.pickMember();
    this.members.delete(victim);
    this.oracle = null;
    this.crashes++;
    await this.ring.crash(victim);
  }

  private lookupPair(): void {
    if (this.ring.clock.now() < this.measureFrom) return;
    const from = this.pickMember();
    const id = hashId(`churn-${this.o.seed}-${this.rate}-${this.lookupSeq++}`, from.bits);
    const ownerAtStart = this.truth().ownerOf(id);
    const judge = (tally: Tally) => (r: { owner: string; hops: number } | null) => {
      if (!this.members.has(from)) return; // the asker failed meanwhile: not counted
      tally.lookups++;
      if (!r) return void (tally.failed++, tally.rejected++);
      tally.hops += r.hops;
      if (r.owner !== ownerAtStart && r.owner !== this.truth().ownerOf(id)) tally.failed++;
    };
    void strictLookup(from, id).then(judge(this.strict), () => judge(this.strict)(null));
    void from.lookupId(id).then(
      (r) => judge(this.own)({ owner: r.owner.address, hops: r.hops }),
      () => judge(this.own)(null),
    );
  }
}
