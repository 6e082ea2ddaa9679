/**
 * Churn across real processes on loopback: nodes join, leave gracefully and are SIGKILLed one
 * after another while lookups go on; lookups name the true owner, and once the churn stops
 * every lookup is right and every file put before it is still there (r = 3).
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashId } from '../../src/core/ring-math.js';
import { successorIndex } from '../../src/sim/ring-check.js';
import { freePort, startNode, type Proc } from '../helpers/headless-proc.js';
import { waitFor } from '../helpers/wait.js';

type Node = Proc & { id: string; address: string };
const BITS = 32;

function sortedIds(nodes: readonly Node[]): bigint[] {
  return nodes.map((n) => BigInt('0x' + n.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

async function ringHealthy(nodes: readonly Node[]): Promise<boolean> {
  const ids = sortedIds(nodes);
  for (const n of nodes) {
    const s = await n.cmd('state');
    const me = successorIndex(ids, BigInt('0x' + n.id));
    if (BigInt('0x' + s.successors[0].id) !== ids[(me + 1) % ids.length]) return false;
    if (BigInt('0x' + (s.predecessor?.id ?? '0')) !== ids[(me - 1 + ids.length) % ids.length]) return false;
  }
  return true;
}

/** Lookups of fresh keys from `k` live nodes at once: how many named the true owner. */
async function lookups(nodes: readonly Node[], k: number, tag: string): Promise<{ ok: number; wrong: string[] }> {
  const ids = sortedIds(nodes);
  const asks = Array.from({ length: k }, (_, i) => {
    const key = `${tag}-${i}`;
    return nodes[i % nodes.length]!.cmd(`lookup ${key}`, 20_000).then((r) => ({ key, r }));
  });
  let ok = 0;
  const wrong: string[] = [];
  for (const { key, r } of await Promise.all(asks)) {
    // Replies to one node's concurrent lookups may come in any order: each names its key's id.
    const want = ids[successorIndex(ids, r.ok ? BigInt('0x' + r.key) : hashId(key, BITS))]!;
    if (r.ok && BigInt('0x' + r.owner.id) === want) ok++;
    else wrong.push(`${key}: ${r.ok ? r.owner.address : r.error}`);
  }
  return { ok, wrong };
}

test('real processes under churn: joins, leaves and SIGKILLs; lookups stay right and no file is lost', async (t) => {
  t.timeout(240_000); // about 70 s on 2 cores; process start-up slows down when the machine is busy
  const root = mkdtempSync(join(tmpdir(), 'p2pterm-churn-'));
  const all: Node[] = [];
  const live: Node[] = [];
  let serial = 0;
  const start = async (via: Node | null): Promise<Node> => {
    const i = serial++;
    const dir = join(root, `dir-${i}`);
    mkdirSync(dir);
    const args = ['--bits', String(BITS), '--stabilize-ms', '100', '--dir', dir, '--data', join(root, `data-${i}`)];
    const node = await startNode(await freePort(), via ? [...args, '--join', via.address] : args);
    all.push(node);
    // `listening` comes before the join is done: wait until the node has a successor of its own.
    const joined = async () => (await node.cmd('state')).successors[0].address !== node.address;
    if (via && !(await waitFor(joined, 20_000, 50))) throw new Error(`${node.address} did not join`);
    return node;
  };
  try {
    live.push(await start(null));
    for (let i = 1; i < 8; i++) live.push(await start(live[0]!));
    t.true(await waitFor(() => ringHealthy(live), 20_000, 200), 'eight processes form a ring');
    const files: string[] = [];
    for (let i = 0; i < 6; i++) {
      const name = `keep-${i}.bin`;
      writeFileSync(join(root, name), randomBytes(1000 + i));
      t.true((await live[i]!.cmd(`put ${join(root, name)}`, 30_000)).ok);
      files.push(name);
    }
    let ok = 0;
    let total = 0;
    const wrong: string[] = [];
    let lastKilled = -1;
    for (let step = 0; step < 18; step++) {
      const kind = step % 3;
      const pick = () => Math.floor(Math.random() * live.length);
      if (kind === 0 || live.length <= 6) {
        live.push(await start(live[pick()]!));
      } else if (kind === 1) {
        const n = live.splice(pick(), 1)[0]!;
        t.true((await n.cmd('leave', 20_000)).ok);
        n.kill();
      } else {
        // Never two neighbours in a row: one crash at a time is well below r = 3.
        const ids = sortedIds(live);
        let i = pick();
        const near = (j: number) =>
          lastKilled >= 0 && Math.abs(successorIndex(ids, BigInt('0x' + live[j]!.id)) - lastKilled) <= 1;
        if (near(i)) i = (i + 3) % live.length;
        lastKilled = successorIndex(ids, BigInt('0x' + live[i]!.id));
        const n = live.splice(i, 1)[0]!;
        n.kill('SIGKILL');
        await n.exited();
      }
      const r = await lookups(live, 12, `s${step}`);
      ok += r.ok;
      total += 12;
      wrong.push(...r.wrong);
    }
    t.log(`during churn: ${ok}/${total} lookups right; wrong: ${wrong.join('; ') || 'none'}`);
    t.true(ok / total >= 0.999, `lookups during churn ${ok}/${total}`);
    t.true(await waitFor(() => ringHealthy(live), 20_000, 200), 'one ordered ring once the churn stops');
    const after = await lookups(live, 40, 'after');
    t.is(after.ok, 40, `every lookup right after settling: ${after.wrong.join('; ')}`);
    for (const name of files) {
      const got = await live[0]!.cmd(`get ${name} ${join(root, `got-${name}`)}`, 30_000);
      t.true(got.ok, `${name}: ${JSON.stringify(got)}`);
    }
  } finally {
    for (const n of all) n.kill();
    await Promise.all(all.map((n) => n.exited()));
    rmSync(root, { recursive: true, force: true });
  }
});
