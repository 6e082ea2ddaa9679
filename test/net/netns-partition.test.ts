/**
 * A partition across hosts heals into one ring: six nodes in network namespaces, the bridge
 * between two groups cut, each group settles into a ring of its own and stores a file; once
 * the groups reach each other again the hosts are one ring within 60 s (default settings), and
 * both files are retrievable from every host. Needs root and iproute2; fails saying so otherwise.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ringHealthy, ringPointers, startBedRing } from '../helpers/bed-ring.js';
import { createNetBed } from '../helpers/netns.js';
import { waitFor } from '../helpers/wait.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('two groups of hosts cut apart, each storing a file, are one ring again within 60 s of the heal', async (t) => {
  t.timeout(300_000); // seven processes start on a shared, possibly loaded machine
  const bed = await createNetBed({ hosts: 7 });
  const root = mkdtempSync(join(tmpdir(), 'p2pterm-netns-split-'));
  t.teardown(async () => {
    await bed.destroy();
    rmSync(root, { recursive: true, force: true });
  });
  const { nodes } = await startBedRing(bed, { root, bits: 32 });
  t.true(await waitFor(() => ringHealthy(nodes), 60_000, 500), 'six hosts form one ring');

  // Hosts 0 (tracker), 1, 2, 3 on one side; 4, 5, 6 on the other.
  const east = nodes.filter((n) => n.host.index >= 4);
  const west = nodes.filter((n) => n.host.index < 4);
  await bed.partition(east.map((n) => n.host));
  const cutAt = Date.now();
  // Each side must first notice the other is gone (timeouts back off per peer up to 10 s).
  for (const [side, group] of [
    ['west', west],
    ['east', east],
  ] as const) {
    const settled = await waitFor(() => ringHealthy(group), 120_000, 500);
    t.true(settled, `the ${side} settles into a ring of its own; its pointers: ${await ringPointers(group)}`);
  }
  t.log(`both sides settled ${((Date.now() - cutAt) / 1000).toFixed(1)} s after the cut`);

  const files = { 'west.bin': randomBytes(300_000), 'east.bin': randomBytes(300_000) };
  for (const [name, data] of Object.entries(files)) {
    writeFileSync(join(root, name), data);
    const putter = name === 'west.bin' ? west[0]! : east[0]!;
    const put = await putter.cmd(`put ${join(root, name)}`, 30_000);
    t.true(put.ok, `${name} put on its side: ${JSON.stringify(put)}`);
  }

  await bed.heal();
  const healedAt = Date.now();
  t.true(await waitFor(() => ringHealthy(nodes), 60_000, 500), 'one ring within 60 s of the heal');
  t.log(`one ring ${((Date.now() - healedAt) / 1000).toFixed(1)} s after the heal`);
  for (const n of nodes) {
    for (const [name, data] of Object.entries(files)) {
      const out = join(root, `${n.host.index}-${name}`);
      const got = await n.cmd(`get ${name} ${out}`, 30_000);
      t.true(got.ok, `${name} from ${n.address}: ${JSON.stringify(got)}`);
      if (got.ok) t.is(sha(readFileSync(out)), sha(data));
    }
  }
});
