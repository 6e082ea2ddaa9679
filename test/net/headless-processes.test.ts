import test from 'ava';
import { hashId } from '../../src/core/ring-math.js';
import { successorIndex } from '../../src/sim/ring-check.js';
import { freePort, startNode, type Proc } from '../helpers/headless-proc.js';
import { waitFor } from '../helpers/wait.js';

const BITS = ['--bits', '24', '--stabilize-ms', '100'];

async function ringHealthy(nodes: (Proc & { id: string })[]): Promise<boolean> {
  const ids = nodes.map((n) => BigInt('0x' + n.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const n of nodes) {
    const s = await n.cmd('state');
    const me = successorIndex(ids, BigInt('0x' + n.id));
    if (BigInt('0x' + s.successors[0].id) !== ids[(me + 1) % ids.length]) return false;
    if (!s.predecessor || BigInt('0x' + s.predecessor.id) !== ids[(me - 1 + ids.length) % ids.length]) return false;
  }
  return true;
}

test('separate headless processes form a ring, agree on owners, survive a SIGKILL and a leave', async (t) => {
  const ports = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const nodes: (Proc & { id: string; address: string })[] = [];
  try {
    nodes.push(await startNode(ports[0]!, BITS));
    for (const port of ports.slice(1)) nodes.push(await startNode(port, [...BITS, '--join', nodes[0]!.address]));
    for (const [i, n] of nodes.entries()) t.is(BigInt('0x' + n.id), hashId(`127.0.0.1:${ports[i]}`, 24));
    t.true(await waitFor(() => ringHealthy(nodes), 15_000, 200), 'five processes converge');

    const ids = nodes.map((n) => BigInt('0x' + n.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const n of nodes) {
      const r = await n.cmd('lookup report.pdf');
      t.true(r.ok);
      t.is(BigInt('0x' + r.owner.id), ids[successorIndex(ids, hashId('report.pdf', 24))]!);
      t.is(typeof r.hops, 'number');
    }

    const bad = await nodes[1]!.cmd('frobnicate');
    t.false(bad.ok);
    t.regex(bad.error, /unknown command/);
    const badJoin = await nodes[1]!.cmd('join nowhere');
    t.false(badJoin.ok);

    nodes[2]!.kill('SIGKILL');
    await nodes[2]!.exited();
    const alive = nodes.filter((_, i) => i !== 2);
    t.true(await waitFor(() => ringHealthy(alive), 15_000, 200), 'the ring heals around a killed process');

    const left = await alive[3]!.cmd('leave');
    t.true(left.ok);
    const rest = alive.slice(0, 3);
    t.true(await waitFor(() => ringHealthy(rest), 5_000, 200), 'and stays whole after a graceful leave');

    const q = await rest[0]!.cmd('quit');
    t.true(q.ok);
    t.is(await rest[0]!.exited(), 0);
    rest[1]!.child.stdin!.end();
    t.is(await rest[1]!.exited(), 0, 'EOF on stdin quits too');
  } finally {
    for (const n of nodes) n.kill();
  }
});

test('a node started with the other routing mode is refused and exits with a clear error', async (t) => {
  const [p1, p2] = [await freePort(), await freePort()];
  const a = await startNode(p1, BITS);
  try {
    const b = await startNode(p2, [...BITS, '--routing', 'naive', '--join', a.address]);
    t.is(await b.exited(), 2);
    t.true(
      b.stderr.some((l) => /routing mismatch/.test(l)),
      b.stderr.join('\n'),
    );
  } finally {
    a.kill();
  }
});
