/**
 * Churn across real processes on loopback, at the scale of the churn issue: 32 node processes
 * (the built CLI, default settings, r = 3), then for 60 s a join, graceful leave or SIGKILL
 * every 250 ms (joins half the events, so the ring stays about 32), while lookups run without
 * pause from random members. Reports lookup success during the churn (goal ≥ 99.9 %), after it
 * stops and the ring settles (goal 100 %), and files lost (put before the churn; goal 0).
 *
 * A lookup counts as right when it names the owner among the members at the time it returned,
 * or at the time it was sent (membership that changed under a lookup makes either answer true),
 * counting or not each process still joining (the harness cannot tell when a join took effect
 * before the join command returns) and each member told to leave whose leave has not returned
 * (a leaver owns its keys until it has handed them on) and each process sent SIGKILL whose exit
 * has not been reported yet (until then it may still answer), each one independently of the others.
 * A joiner, once its process is up, is told to join through three members picked then
 * (`join A,B,C`, a bootstrap list: one may be gone by the time the request arrives), and is a
 * member from the moment it logs that it joined ("joined via": its successor took its notify
 * and a node points at it, or the node waited 5 s for that).
 * Kills never hit a node within two places of one killed in the last 10 s (never r = 3
 * neighbours of a file down at once); a crash that rule forbids becomes a graceful leave, so the
 * ring keeps its size.
 */
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashId } from '../dist/core/ring-math.js';
import { successorIndex } from '../dist/sim/ring-check.js';
import { BUILT_ENTRY, type JsonLine, type Proc, startProc } from '../test/helpers/headless-proc.js';
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
/** A file not found after settling is asked for again this much later. */
const LOST_RETRY_MS = 20_000;
/** Node processes kept started ahead of the churn's joins. */
const SPARES = 4;
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
  /** Processes sent SIGKILL that have not exited yet: until then they may still answer. */
  const dying = new Set<Node>();
  /** Why joins failed (the first few): the process's exit code and last words. */
  const joinErrors: string[] = [];
  /** Why leaves failed (the first few). */
  const leaveErrors: string[] = [];
  /** Processes that exited without being told to (a crash is a bug: it is reported). */
  const unexpectedExits: string[] = [];
  const stopped = new Set<Proc>();
  /** What became of nodes no longer members, and when (to explain a wrong answer). */
  const fates = new Map<string, { what: string; at: number }>();
  const fate = (address: string) => {
    const f = fates.get(address);
    return f ? `${f.what} ${((performance.now() - f.at) / 1000).toFixed(1)} s before` : 'a first member';
  };
  /** When (wall clock) each node was killed or told to leave: a later "dead" verdict on it is true. */
  const gone = new Map<string, number>();
  let serial = 0;
  /** Every address a node process of this run listened on. */
  const addressesUsed = new Set<string>();
  /** A new node process, up and listening, not in any ring yet. */
  const spawnNode = async (): Promise<Node> => {
    const i = serial++;
    const dir = join(root, `dir-${i}`);
    mkdirSync(dir);
    const args = ['--dir', dir, '--data', join(root, `data-${i}`)];
    // CHURN_BENCH_LOG_DIR: every process also writes its debug log there (to explain a run).
    const logDir = process.env.CHURN_BENCH_LOG_DIR;
    if (logDir) args.push('--log-level', 'debug', '--log-file', join(logDir, `node-${i}.jsonl`));
    // Port 0: the kernel picks a free one (a port found free first may be taken by another
    // process before this one listens); the address is read from the `listening` line.
    const p = startProc(['node', '--headless', '--host', '127.0.0.1', '--port', '0', ...args], {}, [], BUILT_ENTRY);
    all.push(Object.assign(p, { id: '', address: '', busy: false }));
    p.child.once('exit', (code, signal) => {
      if (stopped.has(p) || !members.includes(p as Node) || unexpectedExits.length >= 10) return;
      const who = (p as Partial<Node>).address || `process ${p.child.pid}`;
      unexpectedExits.push(`${who} exited (${signal ?? `code ${code}`}): ${p.stderr.slice(-3).join(' | ')}`);
    });
    let ev: JsonLine;
    try {
      ev = await p.waitLine((o) => o.event === 'listening', 30_000);
    } catch (e) {
      throw failedJoin(p, e as Error);
    }
    const address = ev.address as string;
    // The kernel may hand a departed node's port to a new process. Members still probe the
    // peers they lost (to merge rings after a partition), so they would pull this process in
    // before its join event, as a node restarted at its old address is meant to be, and the
    // harness would not count it a member: it is replaced by another process.
    if (addressesUsed.has(address)) {
      stopped.add(p);
      p.kill('SIGKILL');
      return spawnNode();
    }
    addressesUsed.add(address);
    return Object.assign(p, { id: ev.id as string, address, busy: false });
  };
  /**
   * Joins `node` through three members picked now (a bootstrap list, `join A,B,C`: one may be
   * gone by the time the request arrives). The join command returns once the node is in the
   * ring (its successor notified, a node pointing at it, keys taken over); the node is a member
   * as soon as it logged that it joined.
   */
  const joinRing = async (node: Node): Promise<Node> => {
    joining.add(node);
    try {
      const via = pickSome(members, 3).map((m) => m.address);
      const reply = node.cmd(`join ${via.join(',')}`, 30_000);
      // In the ring once it logs "joined via" (linked from both sides), before the keys it now
      // owns are pulled over: that hand-over goes on while it serves as a member.
      let seen = false;
      let settled = false;
      reply.then(
        () => (settled = true),
        () => (settled = true),
      );
      const inRing = () => (seen ||= node.stderr.some((l) => l.includes(' ring: joined via ')));
      await waitFor(() => settled || inRing(), 30_000, 10);
      const r = seen ? { ok: true } : await reply;
      if (!r.ok) throw new Error(`${node.address} did not join: ${r.error}`);
      fates.set(node.address, { what: 'joined', at: performance.now() });
      return node;
    } catch (e) {
      throw failedJoin(node, e as Error);
    } finally {
      joining.delete(node);
    }
  };
  /** Records why a join failed and stops the process: not a member, so it must not linger in the ring. */
  const failedJoin = (p: Proc, e: Error): Error => {
    if (joinErrors.length < 10) {
      const code = p.child.exitCode ?? (p.child.signalCode || 'running');
      joinErrors.push(`${e.message} (exit ${code}): ${p.stderr.slice(-2).join(' | ')}`);
    }
    const address = all.find((x) => x.child === p.child)?.address;
    if (address) fates.set(address, { what: 'failed to join', at: performance.now() });
    stopped.add(p);
    p.kill('SIGKILL');
    return e;
  };
  /**
   * Processes started ahead of their join event, so that a join event is the join itself (as
   * with a node already running) and not also a process start, which takes seconds on a busy
   * machine while leaves and crashes go on: the ring would shrink far below its size.
   */
  const spares: Promise<Node>[] = [];
  const spare = () => {
    const p = spawnNode();
    // Its failure is recorded in joinErrors and counted when its join event takes it.
    p.catch(() => undefined);
    spares.push(p);
  };
  const t0 = performance.now();
  try {
    members.push(await spawnNode());
    for (let i = 1; i < n; i++) members.push(await joinRing(await spawnNode()));
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
    const events = { join: 0, joinFailed: 0, leave: 0, leaveFailed: 0, kill: 0, killSkipped: 0, leaveSkipped: 0 };
    const leaveFailed = (m: Node, why: string) => {
      events.leaveFailed++;
      if (leaveErrors.length < 10) leaveErrors.push(`${m.address}: ${why}`);
    };
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
        const r = await judgedLookup(from, `c${w}-${k}`, () => members, [joining, leaving, dying], fate);
        during.total++;
        if (r.right) during.ok++;
        else {
          if (r.failed) during.failed++;
          if (wrong.length < 20) wrong.push(r.text);
        }
      }
    };
    for (let i = 0; i < SPARES; i++) spare();
    await Promise.allSettled(spares);
    const workers = Array.from({ length: lookupsInFlight }, (_, w) => worker(w));
    const churnStart = performance.now();
    /** How late the schedule ran at worst (a busy harness bunches events up). */
    let lateMs = 0;
    for (let e = 0; performance.now() - churnStart < churnMs; e++) {
      const due = churnStart + e * eventEveryMs;
      await sleep(Math.max(0, due - performance.now()));
      lateMs = Math.max(lateMs, Math.round(performance.now() - due));
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
        const ready = spares.shift() ?? spawnNode();
        spare();
        joins.push(
          ready.then(joinRing).then(
            (m) => void members.push(m),
            () => void events.joinFailed++, // the process was stopped (failedJoin): an event that did not happen
          ),
        );
      } else if (kind === 'leave') {
        const m = pickIdle(members);
        if (!m) {
          events.leaveSkipped++;
          continue;
        }
        events.leave++;
        fates.set(m.address, { what: 'told to leave', at: performance.now() });
        gone.set(m.address, Date.now());
        members = members.filter((x) => x !== m);
        leaving.add(m);
        void m
          .cmd('leave', 30_000)
          .then(
            (r) => r.ok || (leaveFailed(m, r.error), false),
            // No answer in 30 s: stopped below like a node that left, counted here.
            (e: Error) => (leaveFailed(m, e.message), true),
          )
          .then((gone) => {
            leaving.delete(m);
            // A refused leave changed nothing (the node says so and stays in its ring): it is a
            // member again. Stopping it would be a crash the spacing rule never allowed.
            if (!gone) {
              members.push(m);
              fates.set(m.address, { what: 'refused to leave', at: performance.now() });
              return;
            }
            fates.set(m.address, { what: 'left', at: performance.now() });
            stopped.add(m);
            m.kill();
          });
      } else {
        const m = victim!;
        events.kill++;
        killedAt.set(m.id, performance.now());
        fates.set(m.address, { what: 'killed', at: performance.now() });
        gone.set(m.address, Date.now());
        members = members.filter((x) => x !== m);
        stopped.add(m);
        dying.add(m);
        void m.exited().then(() => dying.delete(m));
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
    const lostNames: string[] = [];
    for (const name of names) {
      const got = await members[0]!.cmd(`get ${name} ${join(root, `got-${name}`)}`, 60_000);
      if (!got.ok) lost.push(`${name}: ${got.error}`), lostNames.push(name);
    }
    // A file not found may still be held somewhere (a copy off its owner's neighbourhood, which
    // maintenance moves back): say who holds its entry, and ask again after a while.
    const lostWhere = lostNames.map((name) => whereHeld(root, name, all, members));
    if (lostNames.length) await new Promise((r) => setTimeout(r, LOST_RETRY_MS));
    const foundLater: string[] = [];
    for (const name of lostNames) {
      const got = await members[0]!.cmd(`get ${name} ${join(root, `again-${name}`)}`, 60_000);
      if (got.ok) foundLater.push(name);
    }
    return {
      processes: n,
      churnMs,
      eventEveryMs,
      events,
      scheduleLateMaxMs: lateMs,
      joinErrors,
      leaveErrors,
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
      deadVerdicts: deadVerdicts(all, gone),
      files: names.length,
      filesLost: lost.length,
      lost,
      lostHeldBy: lostWhere,
      lostFoundAfterMs: LOST_RETRY_MS,
      lostFoundLater: foundLater,
    };
  } finally {
    for (const m of all) stopped.add(m), m.kill('SIGKILL');
    await Promise.all(all.map((m) => m.exited()));
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * Which nodes' stores hold a file's entry (its name's key), read from every data directory the
 * run made: live members by address, nodes that left or were killed as a count.
 */
function whereHeld(root: string, name: string, all: readonly Node[], members: readonly Node[]): string {
  const live: string[] = [];
  let departed = 0;
  for (const [i, node] of all.entries()) {
    const db = join(root, `data-${i}`, 'store', 'index.db');
    if (!existsSync(db)) continue;
    const index = new Database(db, { readonly: true, fileMustExist: true });
    try {
      if (!index.prepare('SELECT 1 FROM entries WHERE key = ?').get(name)) continue;
    } finally {
      index.close();
    }
    if (members.includes(node)) live.push(node.address);
    else departed++;
  }
  return `${name}: held by ${live.length ? live.join(', ') : 'no member'}; by ${departed} departed node(s)`;
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
  const id = hashId(key, BITS);
  // Each node joining or leaving may or may not have taken effect, independently of the
  // others: the owner is the members' owner, or any changing node closer to the key than it.
  const owners = () => {
    const ids = sortedIds(members());
    const owner = ids[successorIndex(ids, id)]!;
    const span = (x: bigint) => (x - id + (1n << BigInt(BITS))) % (1n << BigInt(BITS));
    const closer = changing.flatMap((set) => sortedIds([...set])).filter((c) => span(c) < span(owner));
    return [owner, ...closer];
  };
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
  const port = (a: string) => a.slice(a.lastIndexOf(':') + 1);
  const path = (r.path as { address: string }[]).map((n) => port(n.address)).join('>');
  const ownerText = wanted.map((a) => `${a} (${fate(a)})`).join(' or ');
  const text = `${new Date().toISOString()} ${key}: named ${r.owner.address} (${fate(r.owner.address)}; asked ${from.address}; path ${path}; owner ${ownerText})`;
  const right = [...before, ...after].includes(got);
  if (right) return { right, failed: false, text };
  // What the named node and the owners think of their neighbours just after (ports).
  const all = [...members(), ...changing.flatMap((set) => [...set])];
  const seen: string[] = [];
  for (const a of [r.owner.address as string, ...wanted]) {
    const n = all.find((m) => m.address === a);
    const st = n ? await n.cmd('state', 5_000).catch(() => null) : null;
    if (st?.ok)
      seen.push(`${port(a)}: pred ${port(st.predecessor?.address ?? '-:-')} succ ${port(st.successors[0].address)}`);
  }
  return { right, failed: false, text: `${text} [${seen.join('; ')}]` };
}

/**
 * The nodes' own verdicts that a neighbour is dead (their warn lines), split by whether the
 * node was in fact gone (killed or told to leave) by then: a false verdict drops a live node.
 */
function deadVerdicts(procs: readonly Proc[], gone: ReadonlyMap<string, number>) {
  const out = {
    successorTrue: 0,
    successorFalse: 0,
    predecessorTrue: 0,
    predecessorFalse: 0,
    falseSamples: [] as string[],
  };
  const verdict = /^(\S+) warn\s+stabilize: (successor|predecessor) (\S+) (did not answer|is dead)/;
  for (const p of procs)
    for (const line of p.stderr) {
      const m = verdict.exec(line);
      if (!m) continue;
      const at = Date.parse(m[1]!);
      const right = (gone.get(m[3]!) ?? Infinity) <= at;
      const kind = m[2] as 'successor' | 'predecessor';
      out[`${kind}${right ? 'True' : 'False'}`]++;
      if (!right && out.falseSamples.length < 10) out.falseSamples.push(line);
    }
  return out;
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
