/**
 * `p2pterm paper --quick` in-process: the experiments run on the node code and the report's
 * numbers are sane against the paper (path length near ½·log₂N, replication far below the
 * failed fraction, virtual nodes lower the 99th percentile), and the report directory holds
 * the same numbers.
 */
import test from 'ava';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paperConfig } from '../../src/paper/paper-config.js';
import { runPaper, type PaperResults } from '../../src/paper/run-paper.js';
import { summaryText } from '../../src/paper/summary-text.js';
import { writeReport } from '../../src/paper/write-report.js';

let results: PaperResults;
let dir: string;

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'p2pterm-paper-'));
  results = await runPaper(paperConfig('quick', 1));
  await writeReport(dir, results);
});

test.after.always(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('path length is within 0.5 of ½·log₂N at every N, and every lookup found the true owner', (t) => {
  t.is(results.pathLength.points.length, paperConfig('quick').path.exponents.length);
  for (const p of results.pathLength.points) {
    t.true(Math.abs(p.path.mean - 0.5 * Math.log2(p.nodes)) <= 0.5, `N=${p.nodes}: mean ${p.path.mean}`);
    t.is(p.wrongOwner, 0, `N=${p.nodes}`);
    t.true(p.path.p1 <= p.path.mean && p.path.mean <= p.path.p99);
  }
  const pdf = results.pathPdf.pdf.reduce((a, b) => a + b, 0);
  t.true(Math.abs(pdf - 1) < 1e-9, `the distribution sums to ${pdf}`);
});

test('failed lookups: about p without replication, far below p with successor lists and r = 3', (t) => {
  for (const p of results.failures.points) {
    t.true(p.noReplication > 0.5 * p.failed && p.noReplication < 1.5 * p.failed, `p=${p.failed}: ${p.noReplication}`);
    t.true(p.withReplication < 0.5 * p.failed, `p=${p.failed}: with r=3 ${p.withReplication}`);
    t.true(p.withReplication >= p.allHoldersDead, 'a key whose holders all died cannot be read');
  }
});

test('virtual nodes lower the 99th percentile and raise the 1st', (t) => {
  const v = results.virtualNodes.averaged;
  t.deepEqual(
    v.map((p) => p.virtualNodes),
    [1, 2, 5, 10, 20],
  );
  for (let i = 1; i < v.length; i++) {
    t.true(v[i]!.p99OverMean < v[i - 1]!.p99OverMean, `99th/mean falls at ${v[i]!.virtualNodes}`);
    t.true(v[i]!.p1OverMean >= v[i - 1]!.p1OverMean, `1st/mean does not fall at ${v[i]!.virtualNodes}`);
  }
  t.true(v[0]!.p99OverMean > 2 * v[v.length - 1]!.p99OverMean);
});

test('keys per node: the mean is keys / nodes, and the spread brackets it', (t) => {
  for (const p of results.keysPerNode.points) {
    t.is(p.mean, p.keys / p.nodes);
    t.true(p.p1 <= p.mean && p.mean <= p.p99 && p.p99 <= p.max);
  }
});

test("churn: p2pterm's retries fail no more lookups than the paper's no-retry lookups, and failures grow with the rate", (t) => {
  const pts = results.churn.points;
  for (const p of pts) {
    t.true(p.withoutRetries.lookups > 0 && p.withoutRetries.lookups === p.withRetries.lookups);
    t.true(p.withRetries.fraction <= p.withoutRetries.fraction, `R=${p.rate}`);
    t.true(p.joins > 0 && p.crashes > 0, `R=${p.rate}: churn happened`);
  }
  t.true(pts[pts.length - 1]!.withoutRetries.fraction > pts[0]!.withoutRetries.fraction);
});

test('the report directory holds index.html with six charts, the SVGs, and results.json with every number', async (t) => {
  const saved = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8'));
  t.deepEqual(saved, JSON.parse(JSON.stringify(results)));
  const html = await readFile(join(dir, 'index.html'), 'utf8');
  t.is(html.match(/<figure class="chart"/g)?.length, 6);
  t.is(html.match(/<svg /g)?.length, 6);
  t.deepEqual((await readdir(join(dir, 'charts'))).sort(), [
    'churn.svg',
    'failures.svg',
    'keys-per-node.svg',
    'path-length.svg',
    'path-pdf.svg',
    'virtual-nodes.svg',
  ]);
  const summary = summaryText(results, dir);
  for (const n of [1, 2, 3, 4, 5, 6]) t.regex(summary, new RegExp(`^${n}\\. `, 'm'));
});
