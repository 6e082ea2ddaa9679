/**
 * The ring store across processes: files of 0 B, 1 B, exactly one chunk and one chunk + 1
 * round-trip byte-identical; killing r-1 holders leaves a file retrievable and the ring
 * brings it back to r copies.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startNode, type Proc } from '../helpers/headless-proc.js';
import { waitFor } from '../helpers/wait.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
type Node = Proc & { id: string; address: string };

async function ring(root: string, n: number): Promise<Node[]> {
  const nodes: Node[] = [];
  for (let i = 0; i < n; i++) {
    const dir = join(root, `dir-${i}`);
    mkdirSync(dir);
    const args = ['--bits', '32', '--stabilize-ms', '100', '--dir', dir, '--data', join(root, `data-${i}`)];
    nodes.push(await startNode(await freePort(), i ? [...args, '--join', nodes[0]!.address] : args));
  }
  return nodes;
}

/** How many live nodes hold `key`. */
async function copies(nodes: Node[], key: string): Promise<number> {
  let n = 0;
  for (const node of nodes) if ((await node.cmd('keys')).keys.some((k: { key: string }) => k.key === key)) n++;
  return n;
}

test('small files round-trip through the ring, and survive the loss of r-1 holders', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'p2pterm-ring-'));
  let nodes: Node[] = [];
  try {
    nodes = await ring(root, 6);
    await new Promise((r) => setTimeout(r, 1500));
    const files: [string, Buffer][] = [
      ['empty.bin', Buffer.alloc(0)],
      ['one-byte.bin', Buffer.from([0x2a])],
      ['one-chunk.bin', randomBytes(256 * 1024)],
      ['chunk-plus-one.bin', randomBytes(256 * 1024 + 1)],
    ];
    for (const [name, bytes] of files) {
      writeFileSync(join(root, name), bytes);
      const put = await nodes[1]!.cmd(`put ${join(root, name)}`, 30_000);
      t.true(put.ok, JSON.stringify(put));
      t.is(put.size, bytes.length);
      t.is(put.sha256, sha(bytes));
    }
    for (const [name, bytes] of files) {
      const got = await nodes[4]!.cmd(`get ${name}`, 30_000);
      t.true(got.ok, JSON.stringify(got));
      t.is(got.sha256, sha(bytes));
      t.true(readFileSync(got.path).equals(bytes), `${name} is byte-identical`);
    }
    const missing = await nodes[2]!.cmd('get no-such-file.bin');
    t.false(missing.ok);
    t.regex(missing.error, /not found/);

    // Kill two of the three holders of one file's manifest: the file stays retrievable.
    const name = 'chunk-plus-one.bin';
    t.true(await waitFor(async () => (await copies(nodes, name)) === 3, 10_000), 'three copies of the manifest');
    const holders: Node[] = [];
    for (const node of nodes)
      if ((await node.cmd('keys')).keys.some((k: { key: string }) => k.key === name)) holders.push(node);
    const victims = holders.filter((h) => h !== nodes[0]).slice(0, 2);
    for (const v of victims) v.kill('SIGKILL');
    await Promise.all(victims.map((v) => v.exited()));
    const alive = nodes.filter((n) => !victims.includes(n));
    const asker = alive.find((n) => !holders.includes(n)) ?? alive[0]!;
    const got = await asker.cmd(`get ${name} ${join(root, 'after-crash.bin')}`, 30_000);
    t.true(got.ok, JSON.stringify(got));
    t.is(got.sha256, sha(files[3]![1]));
    t.true(
      await waitFor(async () => (await copies(alive, name)) === 3, 20_000, 500),
      'the ring is back to three copies',
    );
  } finally {
    for (const n of nodes) n.kill();
    rmSync(root, { recursive: true, force: true });
  }
});

test('half the ring leaving one by one loses nothing', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'p2pterm-leave-'));
  let nodes: Node[] = [];
  try {
    nodes = await ring(root, 6);
    await new Promise((r) => setTimeout(r, 1500));
    const bytes = randomBytes(600_000);
    writeFileSync(join(root, 'keep.bin'), bytes);
    t.true((await nodes[0]!.cmd(`put ${join(root, 'keep.bin')}`, 30_000)).ok);
    for (const leaver of nodes.slice(3)) {
      const q = await leaver.cmd('quit', 20_000);
      t.true(q.ok);
      t.is(await leaver.exited(), 0);
      await new Promise((r) => setTimeout(r, 300));
    }
    const got = await nodes[1]!.cmd(`get keep.bin ${join(root, 'out.bin')}`, 30_000);
    t.true(got.ok, JSON.stringify(got));
    t.true(readFileSync(got.path).equals(bytes));
  } finally {
    for (const n of nodes) n.kill();
    rmSync(root, { recursive: true, force: true });
  }
});
