/**
 * What an idle console keeps and redoes: V8 collects the heap in full once a process goes
 * quiet, and the more a console allocates per frame and keeps from start-up, the later and
 * the dearer that collection is. These check the console loads only the blessed parts it
 * uses, and that frames which only time changes do not copy the node's finger table.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import type { NodeSnapshot } from '../../src/dht/chord-node.js';
import { openConsole, simRing } from './helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('the console loads blessed screen and box, not the other widgets (images, video, forms, tables)', async (t) => {
  const script = [
    "await import('./src/tui/app.ts');",
    "const { createRequire } = await import('node:module');",
    "const cache = createRequire(process.cwd() + '/').cache;",
    "console.log(JSON.stringify(Object.keys(cache).filter((k) => k.includes('/blessed/'))));",
  ].join('\n');
  const out = await new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      ['--import=tsx', '--input-type=module', '-e', script],
      { cwd: ROOT, timeout: 60_000 },
      (e, stdout) => (e ? reject(e) : resolve(stdout)),
    ),
  );
  const files = (JSON.parse(out) as string[]).map((f) => f.slice(f.indexOf('/blessed/') + '/blessed/'.length));
  t.true(files.includes('lib/widgets/screen.js'), files.join(' '));
  t.true(files.includes('lib/widgets/box.js'));
  for (const unused of ['lib/widgets/list.js', 'lib/widgets/image.js', 'lib/widgets/video.js', 'vendor/tng.js'])
    t.false(files.includes(unused), `${unused} loaded`);
});

test('a frame of the stabilization pane and the status bar copies no finger table', async (t) => {
  const ring = await simRing(4);
  const node = ring.nodes[0]!;
  const c = openConsole(node);
  try {
    c.app.renderNow();
    const withFingers: string[] = [];
    const snapshot = node.snapshot.bind(node);
    node.snapshot = (o: { fingers?: boolean } = {}): NodeSnapshot => {
      if (o.fingers !== false) withFingers.push(new Error().stack?.split('\n')[2]?.trim() ?? '?');
      return snapshot(o);
    };
    c.app.panes.stabilize.render(3);
    c.app.panes.stabilize.wakeIn();
    c.app.panes.fingers.wakeIn();
    c.app.status.render();
    t.deepEqual(withFingers, [], 'finger tables copied');
    c.app.panes.fingers.render(2);
    t.is(withFingers.length, 1, 'the finger table pane itself reads the fingers once');
  } finally {
    c.close();
    await ring.stop();
  }
});
