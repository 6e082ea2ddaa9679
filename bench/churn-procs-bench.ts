/**
 * Churn across real processes on loopback, at the scale of the churn issue: 32 node processes
 * (the built CLI, default settings, r = 3), then for 60 s a join, graceful leave or SIGKILL
 * every 250 ms (joins half the events, so the ring stays about 32), while lookups run without
 * pause from random members. Reports lookup success during the churn (goal ≥ 99.9 %), after it
 * stops and the ring settles (goal 100 %), and files lost (put before the churn; goal 0).
 *
 * A lookup counts as right when it names the owner among the members at the time it returned,
 * or at the time it was sent (membership that changed under a lookup makes either answer true),
 * counting or not the processes still joining (the harness cannot tell when a join took effect)
 * and the members told to leave whose leave has not returned (a leaver owns its keys until it
 * has handed them on).
 * A joiner is given three random members to join through (`--join A,B,C`), as a bootstrap list.
 * Kills never hit a node within two places of one killed in the last 10 s (never r = 3
 * neighbours of a file down at once); a crash that rule forbids becomes a graceful leave, so the
 * ring keeps its size.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashId } from '../dist/core/ring-math.js';
import { successorIndex } from '../dist/sim/ring-check.js';
import { BUILT_ENTRY, freePort, type JsonLine, type Proc, startProc } from '../test/helpers/headless-proc.js';
import { waitFor } from '../test/helpers/wait.js';

type Node = Proc & { id: string; address: string; busy: boolean };

export interface ChurnProcsOptions {
  readonly nodes?: number;
  readonly churnMs?: number;
  readonly eventEveryMs?: number;
  readonly files?: number;
  /** Lookups in flight at once during the churn (each on a different, idle member). */
  readonly lookupsInFlight?: number;
}

const KILL_SPACING_MS = 10_000;
const BITS = 160;

export async function churnProcesses(opts: ChurnProcsOptions = {}): Promise<Record<string, unknown>> {
  const { nodes: n = 32, churnMs = 60_000, eventEveryMs = 250, files: fileCount = 20, lookupsInFlight = 6 } = opts;
  const root = mkdtempSync(join(tmpdir(), 'p2pterm-churn-bench-'));
  const all: Node[] = [];
  let members: Node[] = [];
  /** Processes listening, their join not confirmed yet. */
  const joining = new Set<Node>();
  /** Members told to leave whose leave has not returned yet: still in the ring until then. */
  const leaving = new Set<Node>();
  /** Why joins failed (the first few): the process's exit code and last words. */
  const joinErrors: string[] = [];
  /** Processes that exited without being told to (a crash is a bug: it is reported). */
  const unexpectedExits: string[] = [];
  const stopped = new Set<Proc>();
  /** What became of nodes no longer members, and when (to explain a wrong answer). */
  const fates = new Map<string, { what: string; at: number }>();
  const fate = (address: string) => {
    const f = fates.get(address);
    return f ? `${f.what} ${((performance.now() - f.at) / 1000).toFixed(1)} s before` : 'a member';
  };
  let serial = 0;
  /** `via`: the members a joiner may join through, tried in order (`--join A,B,C`). */
  const start = async (via: readonly Node[] | null): Promise<Node> => {
    const i = serial++;
    const dir = join(root, `dir-${i}`);
    mkdirSync(dir);
    const args = ['--dir', dir, '--data', join(root, `data-${i}`)];
    const port = String(await freePort());
    const extra = via ? [...args, '--join', via.map((m) => m.address).join(',')] : args;
    const p = startProc(['node', '--headless', '--host', '127.0.0.1', '--port', port, ...extra], {}, [], BUILT_ENTRY);
    all.push(Object.assign(p, { id: '', address: '', busy: false }));
    p.child.once('exit', (code, signal) => {
      // A joiner whose join failed exits by itself (joinErrors says why); only members count.
      if (stopped.has(p) || !members.includes(p as Node) || unexpectedExits.length >= 10) return;
      const who = (p as Partial<Node>).address || `process ${p.child.pid}`;
      unexpectedExits.push(`${who} exited (${signal ?? `code ${code}`}): ${p.stderr.slice(-3).join(' | ')}`);
    });
    try {
      const ev = await p.waitLine((o) => o.event === 'listening', 30_000);
      const node: Node = Object.assign(p, { id: ev.id as string, address: ev.address as string, busy: false });
      joining.add(node);
      // A state asked for too early (or an odd reply) is "not joined yet", not a failed join.
      const joined = () =>
        node.cmd('state').then(
          (st) => Boolean(st.ok && st.successors?.[0] && st.successors[0].address !== node.address),
          () => false,
        );
      const ok = !via || (await waitFor(joined, 30_000, 50));
      joining.delete(node);
      if (!ok) throw new Error(`${node.address} did not join`);
      return node;
    } catch (e) {
      if (joinErrors.length < 10) {
        const code = p.child.exitCode ?? (p.child.signalCode || 'running');
        joinErrors.push(`${(e as Error).message} (exit ${code}): ${p.stderr.slice(-2).join(' | ')}`);
      }
      const address = all.find((x) => x.child === p.child)?.address;
      if (address) fates.set(address, { what: 'failed to join', at: performance.now() });
      // Not counted as a member, so it must not linger in the ring either.
      stopped.add(p);
      p.kill('SIGKILL');
      throw e;
    }
  };
  const t0 = performance.now();
  try {
    members.push(await start(null));
    for (let i = 1; i < n; i++) members.push(await start(pickSome(members, 3)));
    const formed = await waitFor(() => ringHealthy(members), 120_000, 500);
    if (!formed) throw new Error(`${n} processes did not form one ring`);
    const startupMs = Math.round(performance.now() - t0);
    const names: string[] = [];
    for (let i = 0; i < fileCount; i++) {
      const name = `keep-${i}.bin`;
      writeFileSync(join(root, name), randomBytes(10_000 + i));
      const put = await members[i % members.length]!.cmd(`put ${join(root, name)}`, 60_000);
      if (!put.ok) throw new Error(`put ${name}: ${JSON.stringify(put)}`);
      names.push(name);
    }

    // ---- churn ----
    const during = { ok: 0, total: 0, failed: 0 };
    const wrong: string[] = [];
    const events = { join: 0, joinFailed: 0, leave: 0, leaveFailed: 0, kill: 0, killSkipped: 0 };
    const killedAt = new Map<string, number>();
    let churning = true;
    const joins: Promise<void>[] = [];
    const worker = async (w: number) => {
      for (let k = 0; churning; k++) {
        const idle = members.filter((m) => !m.busy);
        const from = idle[Math.floor(Math.random() * idle.length)];
        if (!from) {
          await sleep(5);
          continue;
        }
        const r = await judgedLookup(from, `c${w}-${k}`, () => members, [joining, leaving], fate);
        during.total++;
        if (r.right) during.ok++;
        else {
          if (r.failed) during.failed++;
          if (wrong.length < 20) wrong.push(r.text);
        }
      }
    };
    const workers = Array.from({ length: lookupsInFlight }, (_, w) => worker(w));
    const churnStart = performance.now();
    for (let e = 0; performance.now() - churnStart < churnMs; e++) {
      const due = churnStart + e * eventEveryMs;
      await sleep(Math.max(0, due - performance.now()));
      let kind: 'join' | 'leave' | 'kill' = (['join', 'leave', 'join', 'kill'] as const)[e % 4]!;
      // A crash the spacing rule forbids now is a graceful leave instead: the ring keeps its size.
      const victim = kind === 'kill' ? killable(members, killedAt) : undefined;
      if (kind === 'kill' && !victim) {
        events.killSkipped++;
        kind = 'leave';
      }
      // Events run in the background: a slow join or leave must not hold up the schedule.
      if (kind === 'join') {
        events.join++;
        joins.push(
          // Three members to join through, as a real node's bootstrap list: one of them may be
          // gone by the time the process is up.
          start(pickSome(members, 3)).then(
            (m) => void members.push(m),
            () => void events.joinFailed++, // killed in start(): an event that did not happen
          ),
        );
      } else if (kind === 'leave') {
        const m = pickIdle(members);
        if (!m) continue;
        events.leave++;
        fates.set(m.address, { what: 'told to leave', at: performance.now() });
        members = members.filter((x) => x !== m);
        leaving.add(m);
        void m
          .cmd('leave', 30_000)
          .then(
            (r) => void (r.ok || events.leaveFailed++),
            () => void events.leaveFailed++, // no answer in 30 s: killed below, counted here
          )
          .finally(() => {
            leaving.delete(m);
            fates.set(m.address, { what: 'left', at: performance.now() });
            stopped.add(m);
            m.kill();
          });
      } else {
        const m = victim!;
        events.kill++;
        killedAt.set(m.id, performance.now());
        fates.set(m.address, { what: 'killed', at: performance.now() });
        members = members.filter((x) => x !== m);
        stopped.add(m);
        m.kill('SIGKILL');
      }
    }
    churning = false;
    await Promise.all(workers);
    await Promise.all(joins);
    const churnWallMs = Math.round(performance.now() - churnStart);

    // ---- settle ----
    const s0 = performance.now();
    const settled = await waitFor(() => ringHealthy(members), 180_000, 500);
    const settleMs = Math.round(performance.now() - s0);
    const after = { ok: 0, total: 0 };
    const wrongAfter: string[] = [];
    for (let k = 0; k < 1000; k++) {
      const r = await judgedLookup(members[k % members.length]!, `after-${k}`, () => members, [], fate);
      after.total++;
      if (r.right) after.ok++;
      else if (wrongAfter.length < 10) wrongAfter.push(r.text);
    }
    const lost: string[] = [];
    for (const name of names) {
      const got = await members[0]!.cmd(`get ${name} ${join(root, `got-${name}`)}`, 60_000);
      if (!got.ok) lost.push(`${name}: ${got.error}`);
    }
    return {
      processes: n,
      churnMs,
      eventEveryMs,
      events,
      joinErrors,
      unexpectedExits,
      membersAtEnd: members.length,
      startupMs,
      lookupsDuring: during.total,
      lookupsPerSecond: Math.round(during.total / (churnWallMs / 1000)),
      successDuringPct: pct(during.ok, during.total),
      successDuringAtLeast999: during.ok / Math.max(1, during.total) >= 0.999,
      failedDuring: during.failed,
      wrongDuring: wrong,
      settled,
      settleMs,
      lookupsAfter: after.total,
      successAfterPct: pct(after.ok, after.total),
      wrongAfter,
      files: names.length,
      filesLost: lost.length,
      lost,
    };
  } finally {
    for (const m of all) stopped.add(m), m.kill('SIGKILL');
    await Promise.all(all.map((m) => m.exited()));
    rmSync(root, { recursive: true, force: true });
  }
}

/** One lookup on `from`, judged against the members when it was sent and when it returned. */
async function judgedLookup(
  from: Node,
  key: string,
  members: () => readonly Node[],
  /** Nodes whose membership is changing (joining, leaving): either answer is true for them. */
  changing: readonly ReadonlySet<Node>[],
  fate: (address: string) => string,
): Promise<{ right: boolean; failed: boolean; text: string }> {
  from.busy = true;
  const want = (ids: bigint[]) => ids[successorIndex(ids, hashId(key, BITS))]!;
  const owners = () => [
    want(sortedIds(members())),
    ...changing.map((set) => want(sortedIds([...members(), ...set]))),
    want(sortedIds([...members(), ...changing.flatMap((set) => [...set])])),
  ];
  const before = owners();
  const r: JsonLine = await from.cmd(`lookup ${key}`, 30_000).catch((e: Error) => ({ ok: false, error: e.message }));
  from.busy = false;
  const after = owners();
  if (!r.ok) return { right: false, failed: true, text: `${key}: ${r.error}` };
  // The node's own id of the key decides (both sides hash the same way; this checks it).
  if (BigInt('0x' + r.key) !== hashId(key, BITS)) return { right: false, failed: false, text: `${key}: id mismatch` };
  const got = BigInt('0x' + r.owner.id);
  const byId = (id: bigint) =>
    [...members(), ...changing.flatMap((set) => [...set])].find((n) => BigInt('0x' + n.id) === id);
  const wanted = [...new Set([...before, ...after])].map((id) => byId(id)?.address ?? id.toString(16).slice(0, 8));
  const text = `${key}: named ${r.owner.address} (${fate(r.owner.address)}; asked ${from.address}; owner ${wanted.join(' or ')})`;
  return { right: [...before, ...after].includes(got), failed: false, text };
}

/** Up to `k` distinct members at random. */
function pickSome(members: readonly Node[], k: number): Node[] {
  const pool = [...members];
  const out: Node[] = [];
  while (out.length < k && pool.length > 0) out.push(pool.splice(Math.floor(Math.random() * pool.length), 1)[0]!);
  return out;
}

function pickIdle(members: readonly Node[]): Node | undefined {
  const idle = members.filter((m) => !m.busy);
  return idle[Math.floor(Math.random() * idle.length)];
}

/** A member not within two places of a node killed in the last KILL_SPACING_MS. */
function killable(members: readonly Node[], killedAt: Map<string, number>): Node | undefined {
  const now = performance.now();
  const recent = [...killedAt].filter(([, t]) => now - t < KILL_SPACING_MS).map(([id]) => BigInt('0x' + id));
  const sorted = [...members].sort((a, b) => (BigInt('0x' + a.id) < BigInt('0x' + b.id) ? -1 : 1));
  const candidates = sorted.filter((m, i) => {
    if (m.busy) return false;
    // Distance by position among the members now: the dead ones no longer count, so look at
    // who sat next to them, by id.
    for (const deadId of recent) {
      const j = successorIndex(
        sorted.map((x) => BigInt('0x' + x.id)),
        deadId,
      );
      const d = Math.min(Math.abs(i - j), sorted.length - Math.abs(i - j));
      if (d <= 2) return false;
    }
    return true;
  });
  return candidates[Math.floor(Math.random() * candidates.length)];
}

function sortedIds(nodes: readonly Node[]): bigint[] {
  return nodes.map((n) => BigInt('0x' + n.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

async function ringHealthy(nodes: readonly Node[]): Promise<boolean> {
  const ids = sortedIds(nodes);
  for (const n of nodes) {
    const s = await n.cmd('state', 10_000).catch(() => null);
    if (!s?.ok) return false;
    const me = successorIndex(ids, BigInt('0x' + n.id));
    if (BigInt('0x' + s.successors[0].id) !== ids[(me + 1) % ids.length]) return false;
    if (BigInt('0x' + (s.predecessor?.id ?? '0')) !== ids[(me - 1 + ids.length) % ids.length]) return false;
  }
  return true;
}

function pct(ok: number, total: number): number {
  return Math.round((ok / Math.max(1, total)) * 10_000) / 100;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await churnProcesses(), null, 2));
