/** The tracker's peer list follows the tracker: a peer that went offline shows as offline without any other change. */
import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BusEvents } from '../../src/bus/events.js';
import { FileService } from '../../src/files/file-service.js';
import { SimRing } from '../../src/sim/sim-ring.js';
import { startTracker, tempDir, waitFor } from './helpers.js';

test('a peer that goes offline is shown offline on the next refresh, and the peers are listed', async (t) => {
  const tracker = await startTracker();
  const dir = tempDir('p2pterm-peers-');
  const sim = new SimRing({ seed: 7 });
  const services: FileService[] = [];
  try {
    for (const name of ['a', 'b']) {
      const node = await sim.spawn();
      const files = new FileService(node, {
        dir: join(dir.path, name),
        dataDir: join(dir.path, `${name}-data`),
        tracker: `127.0.0.1:${tracker.port}`,
        peersRefreshMs: 100,
      });
      services.push(files);
      await files.start();
      await files.share(await write(dir.path, `${name}.txt`));
    }
    const [a, b] = services as [FileService, FileService];
    let last: BusEvents['tracker:peers'] | null = null;
    a.node.bus.on('tracker:peers', (p) => void (last = p));
    t.true(await waitFor(() => last?.online === 2), 'both online');
    await b.stop();
    services.pop();
    t.true(await waitFor(() => last?.offline === 1 && last.online === 1), 'the stopped peer is shown offline');
    const seen = last as BusEvents['tracker:peers'] | null;
    t.deepEqual(
      seen?.peers?.map((p) => p.online),
      [true, false],
    );
    t.is(seen?.peers?.find((p) => !p.online)?.address, b.node.self.address);
  } finally {
    for (const s of services) await s.stop();
    await sim.stop();
    await tracker.close();
    dir.remove();
  }
});

async function write(root: string, name: string): Promise<string> {
  const path = join(root, name);
  await writeFile(path, `contents of ${name}`);
  return path;
}
