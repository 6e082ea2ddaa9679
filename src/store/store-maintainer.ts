/**
 * Keeps every key on its r holders as the ring changes: the owner (successor of the key's
 * id) and the owner's next r-1 successors of other processes (distinct-hosts.ts).
 *
 * Invariants:
 * - a pass walks this node's entries once, in ring order from its own range (which needs no
 *   lookup), grouped by owner (one route and one `neighbours` call per group, not per key,
 *   bounded by GROUP_LOOKUP_ROUNDS), and listings go in pages of PAGE_SIZE;
 * - when a group's owner cannot be found in time, the rest of the entries are offered to this
 *   node's own next r-1 successors (never dropped) and the pass ends: copies move on ahead of
 *   the nodes that go, and the next pass, sooner, puts them on their holders;
 * - every holder of a group is offered the group's entries (`store_sync`) and sent those it
 *   lacks, those fewest holders have first; only the owner also overwrites copies whose
 *   content differs (its version wins);
 * - a node drops its copy only when it is not a holder, the owner named at least r holders,
 *   and every one of them confirmed (or just received) the entry with the same content;
 * - a joiner pulls what its successor holds outside the successor's new range; a leaver
 *   hands everything to its successor (or the next live one) or the leave fails, and sends
 *   it to the r-1 nodes after the successor as well; what it takes meanwhile goes on in a last
 *   pass, after which it takes nothing more.
 */
import type { NodeRef } from '../core/node-ref.js';
import { inHalfOpen } from '../core/ring-math.js';
import { fromWire } from '../dht/wire-refs.js';
import type { RequestBody, ResponseBody } from '../wire/messages.js';
import { digestOf, ringPages, scanRing, type EntryMeta } from './blob-store.js';
import { pushCopy } from './owner-put.js';
import {
  GROUP_LOOKUP_ROUNDS,
  HANDOFF_ATTEMPTS,
  HANDOFF_EXTRA_MS,
  HANDOFF_SEALED_EXTRA_MS,
  HANDOFF_RETRY_ROUNDS,
  PAGE_SIZE,
  PUSH_PARALLEL,
} from './store-constants.js';
import { raceAbort } from '../wire/errors.js';
import type { StoreContext } from './store-context.js';
import { StoreError } from './store-error.js';
import { distinctHosts } from './distinct-hosts.js';
import { keyList } from './key-list.js';

export interface MaintenanceReport {
  /** Owner groups examined. */
  groups: number;
  /** Copies sent to holders that lacked them. */
  pushed: number;
  /** Local copies dropped because their r holders have them. */
  dropped: number;
  /** Groups or pages that could not be checked (an owner or holder did not answer). */
  failed: number;
}

interface Group {
  readonly owner: NodeRef;
  /** Owner first; null when the owner did not answer. */
  readonly holders: NodeRef[] | null;
}

type StoreEntryWire = ResponseBody<'store_list'>['entries'][number];

/** Groups per pass at most (a guard against a ring view that never closes the circle). */
const MAX_GROUPS = 4096;

export class StoreMaintainer {
  /** Moves where ties start in the order copies are sent (see syncPage). */
  private turn = 0;

  constructor(private readonly ctx: StoreContext) {}

  /**
   * One maintenance pass over everything this node holds, starting with the range it owns
   * (no lookup needed, and the copies most at risk when neighbours go), then around the ring.
   */
  async pass(): Promise<MaintenanceReport> {
    const report: MaintenanceReport = { groups: 0, pushed: 0, dropped: 0, failed: 0 };
    const ctx = this.ctx;
    if (!ctx.node.member || ctx.stopped) return report;
    ctx.reclassify();
    const self = ctx.self.id;
    const start = ctx.view().pred?.id ?? self;
    let from = start;
    for (let n = 0; n < MAX_GROUPS && ctx.node.member && !ctx.stopped; n++) {
      const first = scanRing(ctx.blobs, from, start, null, 1)[0];
      if (!first) break;
      const group = await this.groupOf(first.id);
      report.groups++;
      if (!group?.holders) {
        // No owner found in time (the ring is moving fast): what is left goes to this node's own
        // successors, so a copy held here alone is not lost with this node. The next pass,
        // sooner than the period, puts the keys back on their holders.
        report.failed++;
        await this.copyForward(from, start, report);
        break;
      }
      // The group ends at its owner; an owner past the start means the ring does not know us yet.
      const end = inHalfOpen(group.owner.id, from, start) ? group.owner.id : start;
      await this.syncGroup(from, end, group.owner, group.holders, report);
      if (end === start) break;
      from = end;
    }
    ctx.changed();
    return report;
  }

  /** After a join: copies what the successor holds outside its new range (our share, our replicas). */
  async pullFrom(succ: NodeRef): Promise<number> {
    const ctx = this.ctx;
    let after: string | null = null;
    let pulled = 0;
    for (;;) {
      const body: RequestBody<'store_list'> = {
        from: succ.id.toString(16),
        to: ctx.self.id.toString(16),
        after,
        limit: PAGE_SIZE,
      };
      const res: ResponseBody<'store_list'> = await ctx.call(succ.address, 'store_list', body);
      const got: string[] = [];
      for (const e of res.entries) if (await this.pullOne(succ, e)) got.push(e.key);
      if (got.length > 0) ctx.node.log('debug', 'store', `pulled ${keyList(got)} from ${succ.address}`);
      pulled += got.length;
      if (!res.more || res.entries.length === 0) return pulled;
      after = res.entries[res.entries.length - 1]!.key;
    }
  }

  /**
   * A leave's hand-off, starting with `first`: when no successor known took everything (under
   * churn the list names nodes gone or leaving too), one stabilization round refreshes the
   * list and it is tried again, HANDOFF_ATTEMPTS in all, while the attempts so far took less
   * than HANDOFF_RETRY_ROUNDS rounds (a leave must not hang on for long: it fails instead).
   * Copies this node takes meanwhile (another leaver's hand-off, a repair) go on too, in a last
   * pass once it takes no more (`sealed`): so leavers next to each other do not refuse each other.
   */
  async leaveHandOff(first: NodeRef): Promise<void> {
    const ctx = this.ctx;
    const arrived = new Set<string>();
    ctx.arrivals = arrived;
    ctx.sealed = false;
    try {
      await this.handOffRetrying(first);
      ctx.sealed = true;
      if (arrived.size > 0) await this.handOff(ctx.successors(), arrived, HANDOFF_SEALED_EXTRA_MS);
    } catch (e) {
      ctx.sealed = false;
      throw e;
    } finally {
      ctx.arrivals = null;
    }
  }

  private async handOffRetrying(first: NodeRef): Promise<void> {
    const ctx = this.ctx;
    const started = ctx.node.clock.now();
    for (let attempt = 1; ; attempt++) {
      const succ = attempt === 1 ? first : (ctx.successors()[0] ?? first);
      try {
        return await this.handOff([succ, ...ctx.successors().filter((n) => n.address !== succ.address)]);
      } catch (e) {
        const late = ctx.node.clock.now() - started >= ctx.node.stabilization.intervalMs() * HANDOFF_RETRY_ROUNDS;
        if (!(e instanceof StoreError) || e.code !== 'UNAVAILABLE' || attempt >= HANDOFF_ATTEMPTS || late) throw e;
        ctx.node.log('info', 'store', `hand-off attempt ${attempt} found no taker; refreshing the successor list`);
      }
      await ctx.node.stabilization.step();
    }
  }

  /**
   * Before a graceful leave: hands every entry to the successor (it owns this node's keys
   * next) and, at the same time, to r-1 nodes after it (holders once this node is gone, so keys
   * stay at r copies while the ring moves on): the next ones in the list, and past each that
   * does not take them (under churn the list names nodes gone or leaving too) the one after.
   * A slow one holds the leave up at most `extraMs`. Fails unless some successor took them all.
   * `only`: just these keys (what arrived during the hand-off).
   */
  async handOff(successors: readonly NodeRef[], only?: ReadonlySet<string>, extraMs = HANDOFF_EXTRA_MS): Promise<void> {
    const ctx = this.ctx;
    const report: MaintenanceReport = { groups: 0, pushed: 0, dropped: 0, failed: 0 };
    const [head, ...rest] = successors;
    const extras = this.takersAmong(rest, ctx.replicas - 1, report, only);
    let taker = head && (await this.syncAll(head, report, only)) ? head : null;
    if (taker) {
      const grace = ctx.deadline(extraMs);
      await raceAbort(extras, grace.signal, 'hand-off to the next successors').catch((e: Error) =>
        ctx.node.log('debug', 'store', `leaving without waiting for all copies: ${e.message}`),
      );
      grace.clear();
    } else taker = (await extras)[0] ?? null;
    if (taker) {
      ctx.node.log('info', 'store', `handed ${report.pushed} entries to ${taker.address} and the next before leaving`);
      return;
    }
    throw new StoreError('UNAVAILABLE', "no successor took this node's entries: not leaving, nothing would survive");
  }

  /** Up to `want` of `candidates` that took every entry: tried in order, `want` at a time. */
  private async takersAmong(
    candidates: readonly NodeRef[],
    want: number,
    report: MaintenanceReport,
    only?: ReadonlySet<string>,
  ): Promise<NodeRef[]> {
    const took: NodeRef[] = [];
    let next = 0;
    const worker = async () => {
      while (took.length < want && next < candidates.length) {
        const c = candidates[next++]!;
        if (await this.syncAll(c, report, only)) took.push(c);
      }
    };
    await Promise.all(Array.from({ length: Math.min(want, candidates.length) }, worker));
    return took;
  }

  // ---- internals -------------------------------------------------------------------

  /** The owner of `id` and its holders, as the owner sees them; null when no route was found. */
  private async groupOf(id: bigint): Promise<Group | null> {
    const ctx = this.ctx;
    const mine = (): Group => ({
      owner: ctx.self,
      holders: [ctx.self, ...ctx.replicaTargets()].slice(0, ctx.replicas),
    });
    if (ctx.roleFor(id) === 'primary') return mine();
    // A lookup that keeps meeting dead nodes must not hold up the rest of the pass: the
    // group is skipped (and counted as failed, so the next pass comes sooner).
    const deadline = ctx.deadline(ctx.node.stabilization.intervalMs() * GROUP_LOOKUP_ROUNDS);
    try {
      const owner = await ctx.route(id, deadline.signal).then(
        (r) => r.owner,
        (e: Error) => this.skipped(`no route to the owner of ${id.toString(16)}`, e),
      );
      if (!owner) return null;
      if (owner.address === ctx.self.address) return mine();
      const nb = await ctx
        .call(owner.address, 'neighbours', {}, { signal: deadline.signal })
        .catch((e: Error) => this.skipped(`successor list of owner ${owner.address} unavailable`, e));
      if (!nb) return { owner, holders: null };
      const chain = distinctHosts([owner, ...nb.successors.map(fromWire)]);
      return { owner, holders: chain.slice(0, ctx.replicas) };
    } finally {
      deadline.clear();
    }
  }

  private async syncGroup(
    from: bigint,
    end: bigint,
    owner: NodeRef,
    holders: NodeRef[],
    report: MaintenanceReport,
  ): Promise<void> {
    const ctx = this.ctx;
    const me = ctx.self.address;
    const amOwner = owner.address === me;
    const others = holders.filter((h) => h.address !== me);
    const mayDrop = others.length === holders.length && holders.length >= ctx.replicas;
    for (const page of ringPages(ctx.blobs, from, end, PAGE_SIZE)) {
      // In parallel: a holder that does not answer (a timeout) does not hold up the others.
      const ok = (await this.syncPage(others, page, () => amOwner, report)).every(Boolean);
      if (!ok) report.failed++;
      if (!mayDrop || !ok) continue;
      const dropped: string[] = [];
      for (const m of page) if (await ctx.drop(m.key, m.digest)) dropped.push(m.key);
      report.dropped += dropped.length;
      // Which copies went, and on whose word: the trail a lost key is traced back by (debug).
      if (dropped.length === 0) continue;
      const on = holders.map((h) => h.address).join(', ');
      ctx.node.log('debug', 'store', `maintenance: dropped ${keyList(dropped)}: held by ${on}`);
    }
  }

  /** Offers the entries in (from, to] to this node's next r-1 successors (nothing is dropped). */
  private async copyForward(from: bigint, to: bigint, report: MaintenanceReport): Promise<void> {
    const targets = this.ctx.replicaTargets().slice(0, this.ctx.replicas - 1);
    for (const page of ringPages(this.ctx.blobs, from, to, PAGE_SIZE)) {
      await this.syncPage(targets, page, () => false, report);
    }
  }

  /** Offers every entry (or those in `only`) to `to`; true when it confirmed or received all of them. */
  private async syncAll(to: NodeRef, report: MaintenanceReport, only?: ReadonlySet<string>): Promise<boolean> {
    const self = this.ctx.self.id;
    for (const all of ringPages(this.ctx.blobs, self, self, PAGE_SIZE)) {
      const page = only ? all.filter((m) => only.has(m.key)) : all;
      if (page.length > 0 && !(await this.syncPage([to], page, (m) => m.role === 'primary', report))[0]) return false;
    }
    return true;
  }

  /**
   * Offers a page to every target at once, then sends each what it lacks; per target, true when
   * it confirmed or received all of it. The copies fewest targets hold go first: a target that
   * stops answering (an overloaded or dying peer) cuts its list short (pushAll), and what is
   * cut should be what others still hold. Ties start at an offset that moves every time, so
   * passes that keep getting cut short still reach every key in turn.
   */
  private async syncPage(
    targets: readonly NodeRef[],
    page: EntryMeta[],
    overwrite: (m: EntryMeta) => boolean,
    report: MaintenanceReport,
  ): Promise<boolean[]> {
    const wants = await Promise.all(targets.map((to) => this.offer(to, page, overwrite)));
    const lacking = new Array<number>(page.length).fill(0);
    for (const want of wants) for (const i of want ?? []) lacking[i]!++;
    const turn = this.turn++;
    const rank = (i: number) => (((i - turn) % page.length) + page.length) % page.length;
    return Promise.all(
      targets.map(async (to, k) => {
        const want = wants[k];
        if (!want) return false;
        const order = [...want].sort((a, b) => lacking[b]! - lacking[a]! || rank(a) - rank(b));
        const sent = await this.pushAll(
          to,
          order.map((i) => page[i]!),
        );
        report.pushed += sent;
        return sent === want.size;
      }),
    );
  }

  /** The indices of `page` that `to` lacks (or holds otherwise, where `overwrite` says so); null when it did not answer. */
  private async offer(
    to: NodeRef,
    page: EntryMeta[],
    overwrite: (m: EntryMeta) => boolean,
  ): Promise<Set<number> | null> {
    const entries = page.map((m) => ({ key: m.key, digest: m.digest }));
    const res = await this.ctx
      .call(to.address, 'store_sync', { entries })
      .catch((e: Error) => this.skipped(`sync of ${entries.length} entries with ${to.address} failed`, e));
    if (!res) return null;
    const want = new Set(res.missing.filter((i) => i >= 0 && i < page.length));
    for (const i of res.differ) if (i >= 0 && i < page.length && overwrite(page[i]!)) want.add(i);
    return want;
  }

  /**
   * Sends entries to `to`, PUSH_PARALLEL at a time; returns how many arrived. After a copy
   * failed no more are started: a peer that timed out or refused once (it died, is leaving or
   * is overloaded) would make every copy after it wait out a timeout too, and the caller
   * counts the target as failed either way (a hand-off moves on to the next successor).
   */
  private async pushAll(to: NodeRef, metas: EntryMeta[]): Promise<number> {
    let next = 0;
    const copied: string[] = [];
    let failed = false;
    const worker = async () => {
      while (next < metas.length && !failed) {
        const m = metas[next++]!;
        const bytes = await this.ctx.read(m.key);
        if (!bytes) continue;
        const ok = await pushCopy(this.ctx, to, m.key, m.kind, bytes).then(
          () => true,
          (e: Error) => this.skipped(`copy of ${JSON.stringify(m.key)} to ${to.address} failed`, e) ?? false,
        );
        if (ok) copied.push(m.key);
        else failed = true;
      }
    };
    await Promise.all(Array.from({ length: Math.min(PUSH_PARALLEL, metas.length) }, worker));
    // Where each copy went (maintenance, a hand-off, a copy forward): the rest of a lost key's trail.
    if (copied.length > 0) this.ctx.node.log('debug', 'store', `copied ${keyList(copied)} to ${to.address}`);
    return copied.length;
  }

  /** Logs why a step was skipped (the pass counts it as failed and the next pass retries); null. */
  private skipped(what: string, e: Error): null {
    this.ctx.node.log('debug', 'store', `maintenance: ${what}: ${e.message}`);
    return null;
  }

  /** Copies one listed entry from `from` unless held already; checks it is ours and intact. */
  private async pullOne(from: NodeRef, e: StoreEntryWire): Promise<boolean> {
    const ctx = this.ctx;
    if (!inHalfOpen(ctx.idOf(e.key), from.id, ctx.self.id)) return false; // not what we asked for
    if (ctx.blobs.meta(e.key)?.digest === e.digest) return false;
    try {
      const { value } = await ctx.call(from.address, 'store_get', { key: e.key });
      if (!value || digestOf(value) !== e.digest) return false; // changed since the listing, or damaged
      await ctx.save(e.key, e.kind, value);
      return true;
    } catch (err) {
      ctx.node.log(
        'warn',
        'store',
        `pulling ${JSON.stringify(e.key)} from ${from.address} failed: ${(err as Error).message}`,
      );
      return false;
    }
  }
}
