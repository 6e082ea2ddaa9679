/**
 * Across hosts: a tracker and seven nodes, each in a network namespace of its own (one process
 * per host, nodes listening on the wildcard address, joining and finding the tracker by host
 * name, one of them on IPv6). The ring forms, lookups name the true owner, a multi-chunk file
 * put from one host is read from every host, a tracker-assisted download works, a host whose
 * link is cut is routed around and its files stay retrievable, and it rejoins when the link
 * comes back. Needs root and iproute2 (scripts/test-setup.sh); fails saying so otherwise.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashId } from '../../src/core/ring-math.js';
import { type BedNode, NODE_PORT, ringHealthy, startBedRing, trueOwner } from '../helpers/bed-ring.js';
import { createNetBed } from '../helpers/netns.js';
import { waitFor } from '../helpers/wait.js';

const BITS = 32;
const NODE_ARGS = ['--stabilize-ms', '200'];
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function lookupsTrue(t: { is: (a: unknown, b: unknown, m?: string) => void }, nodes: BedNode[], from: BedNode[]) {
  for (const [i, n] of from.entries()) {
    const key = `key-${i}-${n.id}`;
    const r = await n.cmd(`lookup ${key}`, 15_000);
    t.is(r.ok, true, JSON.stringify(r));
    t.is(BigInt(`0x${r.owner?.id}`), trueOwner(nodes, key, BITS), `lookup of ${key} from ${n.address}`);
  }
}

test('a ring of seven hosts in network namespaces: lookups, files, the tracker, a cut link', async (t) => {
  // Eight processes start on a shared machine; a loaded one needs far more than the default bound.
  t.timeout(300_000);
  const bed = await createNetBed({ hosts: 8 });
  const root = mkdtempSync(join(tmpdir(), 'p2pterm-netns-'));
  t.teardown(async () => {
    await bed.destroy();
    rmSync(root, { recursive: true, force: true });
  });
  t.log(`bed ${bed.prefix}: netem ${bed.netem ? 'available' : 'unavailable (bandwidth caps only)'}`);
  const { nodes } = await startBedRing(bed, { root, bits: BITS, nodeArgs: NODE_ARGS, ipv6Hosts: [7] });

  // Known by the host's address (picked from the default route), never the wildcard; id = hash of it.
  for (const n of nodes) {
    const want = n.host.index === 7 ? `[${n.host.ipv6}]:${NODE_PORT}` : `${n.host.ipv4}:${NODE_PORT}`;
    t.is(n.address, want);
    t.is(BigInt(`0x${n.id}`), hashId(want, BITS));
  }
  t.true(await waitFor(() => ringHealthy(nodes), 30_000, 250), 'seven hosts form one ring');
  await lookupsTrue(t, nodes, nodes);

  // A three-chunk file put from one host is read, byte for byte, on every host.
  const payload = randomBytes(3 * 256 * 1024 - 7);
  writeFileSync(join(root, 'spread.bin'), payload);
  const put = await nodes[2]!.cmd(`put ${join(root, 'spread.bin')}`, 30_000);
  t.true(put.ok, JSON.stringify(put));
  for (const n of nodes) {
    const got = await n.cmd(`get spread.bin ${join(root, `spread-${n.host.index}.bin`)}`, 30_000);
    t.true(got.ok, `get on ${n.address}: ${JSON.stringify(got)}`);
    t.is(sha(readFileSync(join(root, `spread-${n.host.index}.bin`))), sha(payload));
  }

  // Tracker-assisted: shared on one host, found through the tracker (which records the advertised address).
  const sharer = nodes[3]!;
  const notes = randomBytes(600_000);
  writeFileSync(join(root, 'notes.bin'), notes);
  t.true((await sharer.cmd(`share ${join(root, 'notes.bin')}`)).ok);
  const listed = await waitFor(async () => {
    const r = await nodes[5]!.cmd('search notes.bin');
    const m = (r.matches ?? []).find((x: { name: string }) => x.name === 'notes.bin');
    return Boolean(m?.sources.some((s: { host: string; port: number }) => s.host === sharer.host.ipv4));
  }, 15_000);
  t.true(listed, 'the tracker lists the sharer by its advertised address');
  const fetched = await nodes[5]!.cmd('get notes.bin', 30_000);
  t.true(fetched.ok, JSON.stringify(fetched));
  t.is(sha(readFileSync(fetched.path)), sha(notes));

  // Cut one host's link: the others route around it and every file stays retrievable.
  const cut = nodes[4]!;
  await bed.cut(cut.host);
  const live = nodes.filter((n) => n !== cut);
  t.true(await waitFor(() => ringHealthy(live), 30_000, 250), 'the ring closes around the cut host');
  await lookupsTrue(t, live, live);
  for (const n of [live[0]!, live.at(-1)!]) {
    const got = await n.cmd(`get spread.bin ${join(root, `after-cut-${n.host.index}.bin`)}`, 30_000);
    t.true(got.ok, `get after the cut on ${n.address}: ${JSON.stringify(got)}`);
    t.is(sha(readFileSync(join(root, `after-cut-${n.host.index}.bin`))), sha(payload));
  }

  // The link comes back: the host is part of the one ring again.
  await bed.restore(cut.host);
  t.true(await waitFor(() => ringHealthy(nodes), 60_000, 500), 'the host rejoins once its link is back');
  await lookupsTrue(t, nodes, [cut, nodes[0]!]);
});
