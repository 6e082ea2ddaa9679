/**
 * Virtual nodes on real TCP: three headless processes with --vnodes 4 form one ring of twelve
 * members over three ports, `state` reports each process's four, and a multi-chunk file put
 * from any process is read back byte-identical from every process. A daemon with --vnodes is a
 * ring of its own members until it joins one.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashId } from '../../src/core/ring-math.js';
import { freePort, type JsonLine, MAIN, type Proc, ROOT, startNode, startProc } from '../helpers/headless-proc.js';
import { waitFor } from '../helpers/wait.js';

const V = 4;
const BITS = 32;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
type Node = Proc & { id: string; address: string };

/**
 * Whether every member of every process sees the ring of all members, in id order, and its
 * successor list holds every other member (the list is 3·V long, longer than the ring).
 */
function ringIsWhole(states: readonly JsonLine[]): boolean {
  const members = states.flatMap((s) => s.vnodes as { id: string; address: string; successors: { id: string }[] }[]);
  const ids = members.map((m) => BigInt(`0x${m.id}`)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return members.every((m) => {
    const at = ids.indexOf(BigInt(`0x${m.id}`));
    const next = ids[(at + 1) % ids.length]!;
    const full = new Set(m.successors.map((x) => x.id)).size >= Math.min(ids.length - 1, 3 * V);
    return full && m.successors[0] !== undefined && BigInt(`0x${m.successors[0].id}`) === next;
  });
}

test('3 processes × 4 virtual nodes on TCP: one ring of 12, state lists them, files round-trip', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'p2pterm-vnodes-'));
  const nodes: Node[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const dir = join(root, `dir-${i}`);
      mkdirSync(dir);
      const args = ['--bits', String(BITS), '--stabilize-ms', '100', '--vnodes', String(V)];
      args.push('--dir', dir, '--data', join(root, `data-${i}`));
      if (i > 0) args.push('--join', nodes[0]!.address);
      nodes.push(await startNode(await freePort(), args));
    }
    let states: JsonLine[] = [];
    const whole = await waitFor(
      async () => {
        states = await Promise.all(nodes.map((n) => n.cmd('state')));
        return ringIsWhole(states);
      },
      30_000,
      200,
    );
    t.true(whole, 'the ring of 12 members closes within 30 s');
    for (const [i, s] of states.entries()) {
      const address = nodes[i]!.address;
      t.is(s.address, address, 'state keeps the process address');
      t.is(s.vnodes.length, V, `${address} reports ${V} virtual nodes`);
      const want = [address, `${address}/1`, `${address}/2`, `${address}/3`];
      t.deepEqual(
        s.vnodes.map((v: { address: string }) => v.address),
        want,
      );
      for (const v of s.vnodes as { id: string; address: string; inRing: boolean }[]) {
        t.is(BigInt(`0x${v.id}`), hashId(v.address, BITS), `${v.address}: id is the hash of its address`);
        t.true(v.inRing);
      }
    }
    const files = [0, 1, 2].map((i) => [`big-${i}.bin`, randomBytes(3 * 256 * 1024 + 1000 * i)] as const);
    for (const [i, [name, bytes]] of files.entries()) {
      writeFileSync(join(root, name), bytes);
      const put = await nodes[i]!.cmd(`put ${join(root, name)}`, 60_000);
      t.true(put.ok, JSON.stringify(put));
      t.is(put.sha256, sha(bytes));
    }
    // r = 3 copies on 3 distinct processes: each process holds every key, once.
    const held = await Promise.all(nodes.map((n) => n.cmd('keys')));
    const keySets = held.map((k) => k.keys.map((e: { key: string }) => e.key) as string[]);
    for (const [i, keys] of keySets.entries()) {
      t.is(new Set(keys).size, keys.length, `${nodes[i]!.address}: no key held by two of its virtual nodes`);
      t.deepEqual([...keys].sort(), [...keySets[0]!].sort(), `${nodes[i]!.address} holds every key`);
    }
    const stored = files.reduce((n, [, bytes]) => n + Math.ceil(bytes.length / (256 * 1024)) + 1, 0);
    t.is(keySets[0]!.length, stored, 'every chunk and manifest is listed');
    for (const [i, node] of nodes.entries()) {
      for (const [name, bytes] of files) {
        const out = join(root, `out-${i}-${name}`);
        const got = await node.cmd(`get ${name} ${out}`, 60_000);
        t.true(got.ok, JSON.stringify(got));
        t.true(readFileSync(out).equals(bytes), `${name} is byte-identical from ${node.address}`);
      }
    }
  } finally {
    for (const n of nodes) n.kill();
    await Promise.all(nodes.map((n) => n.exited()));
    rmSync(root, { recursive: true, force: true });
  }
});

test('the daemon with --vnodes 3: its members form a ring of their own; ctl state lists them', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'p2pterm-vnodes-daemon-'));
  const env = { XDG_RUNTIME_DIR: join(root, 'run'), P2PTERM_CONFIG_DIR: join(root, 'config') };
  const args = ['daemon', '--port', '0', '--bits', '16', '--vnodes', '3', '--stabilize-ms', '100'];
  const daemon = startProc([...args, '--dir', join(root, 'share'), '--data', join(root, 'data')], env);
  try {
    const hello = await daemon.waitLine((o) => o.event === 'listening', 30_000);
    const address = hello.address as string;
    t.deepEqual(
      hello.vnodes.map((v: { address: string }) => v.address),
      [address, `${address}/1`, `${address}/2`],
    );
    let state: JsonLine = {};
    const whole = await waitFor(
      async () => {
        state = await ctlJson(['state'], env);
        return ringIsWhole([state]);
      },
      20_000,
      200,
    );
    t.true(whole, JSON.stringify(state.vnodes));
    t.like(state, { ok: true, address, inRing: true });
    t.is(state.vnodes.length, 3);
  } finally {
    daemon.kill('SIGTERM');
    await daemon.exited();
    rmSync(root, { recursive: true, force: true });
  }
});

/** `p2pterm ctl --json ARGS`, its reply parsed. */
function ctlJson(args: string[], env: NodeJS.ProcessEnv): Promise<JsonLine> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import=tsx', MAIN, 'ctl', '--json', ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 30_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}: ${stderr}`)) : resolve(JSON.parse(stdout))),
    );
  });
}
