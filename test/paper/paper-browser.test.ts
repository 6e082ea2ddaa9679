/**
 * The report opens in a real browser: headless Chromium loads index.html (with a probe script
 * added to a copy) and counts, per chart, the data marks that have a drawn size. Every chart
 * must have drawn every data mark of its SVG. The page itself loads nothing from elsewhere.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runPaper } from '../../src/paper/run-paper.js';
import { writeReport } from '../../src/paper/write-report.js';
import { tinyConfig } from './tiny-config.js';

const CHROMIUM = '/usr/bin/chromium';
const run = promisify(execFile);
const temps: string[] = [];

test.after.always(async () => {
  for (const d of temps) await rm(d, { recursive: true, force: true });
});

async function temp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'p2pterm-paper-browser-'));
  temps.push(d);
  return d;
}

/** Per chart: data-mark elements and how many of them have a non-empty box on the page. */
const PROBE = `<pre id="probe"></pre><script>
const out = {};
for (const fig of document.querySelectorAll('figure.chart')) {
  const marks = [...fig.querySelectorAll('svg g.role-mark > *')];
  const drawn = marks.filter((m) => { const b = m.getBBox(); return b.width + b.height > 0; });
  out[fig.dataset.chart] = { marks: marks.length, drawn: drawn.length };
}
document.getElementById('probe').textContent = JSON.stringify(out);
</script>`;

test('every chart of index.html draws its data marks in headless Chromium', async (t) => {
  t.true(existsSync(CHROMIUM), `${CHROMIUM} is missing: scripts/test-setup.sh installs it (npm test)`);
  const dir = await temp();
  await writeReport(dir, await runPaper(tinyConfig()));
  const html = await readFile(join(dir, 'index.html'), 'utf8');
  t.notRegex(html, /<script|(?:src|href)="(?:https?:)?\/\//, 'self-contained: no scripts, nothing fetched');
  const probe = join(dir, 'probe.html');
  await writeFile(probe, html.replace('</body>', `${PROBE}</body>`));
  const profile = await temp();
  const { stdout } = await run(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      '--virtual-time-budget=5000',
      '--dump-dom',
      `file://${probe}`,
    ],
    { timeout: 90_000, maxBuffer: 64 * 1024 * 1024 },
  );
  const found = /<pre id="probe">([^<]*)<\/pre>/.exec(stdout);
  t.truthy(found?.[1], 'the probe ran');
  const counts = JSON.parse(found![1]!.replace(/&quot;/g, '"')) as Record<string, { marks: number; drawn: number }>;
  t.deepEqual(Object.keys(counts).sort(), [
    'churn',
    'failures',
    'keys-per-node',
    'path-length',
    'path-pdf',
    'virtual-nodes',
  ]);
  for (const [id, c] of Object.entries(counts)) {
    t.true(c.marks > 0, `${id} has data marks`);
    t.is(c.drawn, c.marks, `${id}: every data mark has a size on the page`);
  }
});
